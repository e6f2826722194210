"""``Authorization: Bearer <token>``: the request is the token's user, where
tokens count (testimonies.accounts.tokens). After AuthenticationMiddleware: a
token replaces the session's user for that request only, and never logs in."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from . import throttle, tokens


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        text = tokens.bearer(request)
        if not text or not tokens.accepts_tokens(request):
            return self.get_response(request)
        token = tokens.authenticate(text)
        if token is None:
            if not throttle.allow(request, "token_failure"):
                return too_many(_("Too many wrong tokens from your network."))
            response = JsonResponse(
                {
                    "detail": _(
                        "This token is not valid: it is mistyped, expired or "
                        "revoked. Make a new one on your account's Tokens page."
                    )
                },
                status=401,
                json_dumps_params={"ensure_ascii": False},
            )
            response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        if not throttle.allow(request, "api_token", key=f"token:{token.pk}"):
            return too_many(_("Too many requests with this token in the last hour."))
        request.user = token.user
        request.api_token = token
        return self.get_response(request)


def too_many(message):
    response = JsonResponse(
        {"detail": message}, status=429, json_dumps_params={"ensure_ascii": False}
    )
    response["Retry-After"] = "3600"
    return response
