from django.db import connection


class QueryCountHeaderMiddleware:
    """Benchmark aid (settings.BENCH_QUERY_COUNT): `X-Query-Count` on every response, so the
    benchmark reads the number of SQL queries per request from outside the server."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = [0]

        def count(execute, sql, params, many, context):
            counter[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["X-Query-Count"] = str(counter[0])
        return response
