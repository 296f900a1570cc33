"""SentReminder and ReminderSettings move from the former `reminders` app to notifications,
keeping their tables (reminders_sentreminder, reminders_remindersettings) and their rows.

The `reminders` app left INSTALLED_APPS, so its migrations no longer run: this one adopts
the tables on a database where they exist (state only) and creates them, with their
constraints and indexes, on a fresh one. It also carries the former reminders 0002, which
switched off the beat entries the reminders replaced (where it has not run yet: the jobs an
admin switched on again since stay on), and moves the models' content types
(and so their permissions and admin log entries) to notifications. Each step is idempotent.
Backwards it changes nothing in the database: the tables and their rows are never dropped.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models
from django.db.migrations.recorder import MigrationRecorder

MODELS = ["remindersettings", "sentreminder"]

# The periodic jobs the reminders replaced (the former reminders 0002): django-celery-beat
# keeps the rows of entries removed from CELERY_BEAT_SCHEDULE, so they are switched off
# (kept, so an admin sees what happened; the tasks still exist and are safe to run by hand).
REPLACED = [
    "coaching-session-reminders",
    "duos-end-questions",
    "duos-how-is-it-going",
    "duos-meeting-log-reminders",
    "matching-unanswered-proposals",
]


def create_missing_tables(apps, schema_editor):
    """Creates each table that is not there yet (a fresh database); adopts the others."""
    existing = set(schema_editor.connection.introspection.table_names())
    for name in ("ReminderSettings", "SentReminder"):
        model = apps.get_model("notifications", name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


def adopt_content_types(apps, schema_editor):
    """The content types of the moved models follow them, with their permissions."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="notifications", model=model).exists():
            ContentType.objects.filter(app_label="reminders", model=model).update(
                app_label="notifications")


def disable_replaced_periodic_jobs(apps, schema_editor):
    # Where the former reminders 0002 ran, an admin may have switched a job on again since.
    applied = MigrationRecorder(schema_editor.connection).applied_migrations()
    if ("reminders", "0002_disable_replaced_periodic_jobs") in applied:
        return
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=REPLACED).update(enabled=False)


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0005_quiet_hours_defaults_callable"),
        ("organisations", "0002_audit_event"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='ReminderSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('keep_in_touch_months', models.PositiveSmallIntegerField(default=3, help_text='0: no keep-in-touch SMS.', verbose_name='months between keep-in-touch SMS to the waiting list')),
                        ('keep_in_touch_answer_days', models.PositiveSmallIntegerField(default=10, verbose_name='days to answer a keep-in-touch SMS before the coordinator calls')),
                        ('availability_notice_days', models.PositiveSmallIntegerField(default=14, verbose_name="days before a volunteer's availability ends to tell them")),
                        ('agreement_reminder_days', models.PositiveSmallIntegerField(default=3, validators=[django.core.validators.MinValueValidator(1)], verbose_name='days before an unconfirmed agreement is asked again')),
                        ('digest_hour', models.PositiveSmallIntegerField(default=8, verbose_name="hour of the coordinators' morning e-mail")),
                        ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'reminder settings',
                        'verbose_name_plural': 'reminder settings',
                        'db_table': 'reminders_remindersettings',
                    },
                ),
                migrations.CreateModel(
                    name='SentReminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=60, verbose_name='kind')),
                        ('subject_ref', models.CharField(max_length=80, verbose_name='subject')),
                        ('period_key', models.CharField(max_length=40, verbose_name='period')),
                        ('recipient_key', models.CharField(blank=True, max_length=80, verbose_name='person')),
                        ('outcome', models.CharField(choices=[('sent', 'Sent'), ('skipped', 'Nothing to send any more')], default='sent', max_length=10, verbose_name='outcome')),
                        ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='sent at')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'sent reminder',
                        'verbose_name_plural': 'sent reminders',
                        'db_table': 'reminders_sentreminder',
                        'ordering': ['-sent_at', '-id'],
                        'indexes': [models.Index(fields=['organisation', '-sent_at'], name='reminders_s_organis_ca32d0_idx')],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'subject_ref', 'period_key'), name='reminder_once_per_period')],
                    },
                ),
        ]),
        migrations.RunPython(create_missing_tables, migrations.RunPython.noop),
        migrations.RunPython(adopt_content_types, migrations.RunPython.noop),
        migrations.RunPython(disable_replaced_periodic_jobs, migrations.RunPython.noop),
    ]
