import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "adcodes.csv"


def level_and_parent(code: str) -> tuple[str, str | None]:
    if code[2:] == "0000":
        return "province", None
    if code[4:] == "00":
        return "city", code[:2] + "0000"
    return "district", code[:4] + "00"


def load(apps, schema_editor):
    Region = apps.get_model("members", "Region")
    rows = {}
    with open(DATA, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            if code in rows:
                continue
            level, parent = level_and_parent(code)
            rows[code] = (row["name"], level, parent, row["longitude"], row["latitude"])
    objects = []
    for code, (name, level, parent, lon, lat) in rows.items():
        if parent is not None and parent not in rows:
            # Districts directly under a province (e.g. 省直辖县级行政区) hang on the province.
            parent = code[:2] + "0000"
        objects.append(
            Region(
                code=code,
                name=name,
                level=level,
                parent_id=parent,
                longitude=float(lon) if lon else None,
                latitude=float(lat) if lat else None,
            )
        )
    # Parents first, so that the foreign keys hold on every database.
    order = {"province": 0, "city": 1, "district": 2}
    objects.sort(key=lambda region: (order[region.level], region.code))
    Region.objects.bulk_create(objects, batch_size=1000)


def unload(apps, schema_editor):
    apps.get_model("members", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0004_regions")]
    operations = [migrations.RunPython(load, unload)]
