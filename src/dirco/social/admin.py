from django.contrib import admin
from django.http import HttpRequest

from dirco.social.models import Comment, Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    list_display = ["__str__", "author", "audience", "created_at"]
    list_filter = ["audience"]
    raw_id_fields = ["author", "partner", "deal", "account", "plan", "action"]
    # Moderation only: the rendering is made by the services, so the text is not edited here.
    readonly_fields = ["body", "body_html"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    list_display = ["__str__", "author", "post", "created_at"]
    raw_id_fields = ["author", "post"]
    readonly_fields = ["body", "body_html"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
