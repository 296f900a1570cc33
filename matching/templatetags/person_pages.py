"""{% render_section section %}: a person-page section of another room, with its context."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_section(context, section):
    found = context.template.engine.get_template(section.template)
    with context.push(**section.context):
        return found.render(context)
