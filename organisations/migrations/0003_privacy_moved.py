"""AnonymisationRecord and RetentionSettings move from the former `privacy` app to organisations,
keeping their tables (privacy_anonymisationrecord, privacy_retentionsettings) and their rows.

The `privacy` app left INSTALLED_APPS, so its migrations no longer run: this one adopts
the tables on a database where they exist (state only) and creates them, with their
constraints and indexes, on a fresh one. It also moves the models' content types
(and so their permissions and admin log entries) to organisations. Each step is idempotent.
Backwards it changes nothing in the database: the tables and their rows are never dropped.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ["anonymisationrecord", "retentionsettings"]


def create_missing_tables(apps, schema_editor):
    """Creates each table that is not there yet (a fresh database); adopts the others."""
    existing = set(schema_editor.connection.introspection.table_names())
    for name in ("AnonymisationRecord", "RetentionSettings"):
        model = apps.get_model("organisations", name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


def adopt_content_types(apps, schema_editor):
    """The content types of the moved models follow them, with their permissions."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="organisations", model=model).exists():
            ContentType.objects.filter(app_label="privacy", model=model).update(
                app_label="organisations")


class Migration(migrations.Migration):

    dependencies = [
        ("organisations", "0002_audit_event"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='AnonymisationRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('participant', 'Participant'), ('volunteer', 'Volunteer')], max_length=12, verbose_name='kind')),
                        ('subject_ref', models.CharField(max_length=100, verbose_name='record')),
                        ('reason', models.CharField(choices=[('retention', 'Retention period over'), ('erasure', 'Erasure on request')], max_length=12, verbose_name='why')),
                        ('done_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='done at')),
                        ('counts', models.JSONField(blank=True, default=dict, verbose_name='what was changed')),
                        ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='done by')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'anonymisation',
                        'verbose_name_plural': 'anonymisations',
                        'db_table': 'privacy_anonymisationrecord',
                        'ordering': ['-done_at', '-pk'],
                        'constraints': [models.UniqueConstraint(fields=('subject_ref',), name='anonymised_once')],
                    },
                ),
                migrations.CreateModel(
                    name='RetentionSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('retention_months', models.PositiveSmallIntegerField(default=24, help_text='After a participant withdrew or a volunteer stopped, and their duos ended, their personal data is anonymised after this many months.', verbose_name='months kept after leaving')),
                        ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'retention settings',
                        'verbose_name_plural': 'retention settings',
                        'db_table': 'privacy_retentionsettings',
                        'constraints': [models.CheckConstraint(condition=models.Q(('retention_months__gte', 1)), name='retention_months_at_least_one')],
                    },
                ),
        ]),
        migrations.RunPython(create_missing_tables, migrations.RunPython.noop),
        migrations.RunPython(adopt_content_types, migrations.RunPython.noop),
    ]
