def organisation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_organisation": None}
    return {"current_organisation": user.organisation}
