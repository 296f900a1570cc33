from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, first in AUTHENTICATION_BACKENDS.

    Every login over the web passes the request (the login page, the admin, the token
    endpoint): those are counted and locked out. A call without a request is not a web
    login (a shell, `Client.login` in tests) and has no address to count by, so it is left
    to the next backend instead of failing as django-axes would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
