"""Local fakes of outside services (SMS gateways, WeChat, WeChat Pay), each a real HTTP server
on a free port.

They are plain modules (no pytest at import time) so that a benchmark command can start them
too. Each checks requests the way the vendor documents and answers with the vendor's bodies;
the fixtures live in the conftest files.
"""
