# The plain-text tokens of rest_framework.authtoken (no longer installed) are dropped: they
# stop working, and whoever used one gets a new, hashed, expiring one (docs/security.md).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("organisations", "0005_api_token"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
