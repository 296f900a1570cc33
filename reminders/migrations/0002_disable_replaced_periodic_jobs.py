"""The periodic jobs that the reminders replace leave the beat: django-celery-beat keeps the
rows of entries removed from CELERY_BEAT_SCHEDULE, so they are switched off here (kept, so an
admin sees what happened; the tasks still exist and are safe to run by hand)."""

from django.db import migrations

REPLACED = [
    "coaching-session-reminders",
    "duos-end-questions",
    "duos-how-is-it-going",
    "duos-meeting-log-reminders",
    "matching-unanswered-proposals",
]


def disable(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=REPLACED).update(enabled=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(disable, migrations.RunPython.noop)]
