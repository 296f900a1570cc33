from django.db import migrations


def load_postcodes(apps, schema_editor):
    from matching.intake import postcodes

    postcodes.load(apps.get_model("matching", "Postcode"))


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(load_postcodes, migrations.RunPython.noop)]
