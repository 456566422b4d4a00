"""The JSON API (django-ninja): one NinjaAPI, one router per domain app."""

from ninja import NinjaAPI

api = NinjaAPI(title="dirco API", version="1", urls_namespace="api")
