from django.contrib import admin

from dirco.catalog.models import Product, ProductLine


@admin.register(ProductLine)
class ProductLineAdmin(admin.ModelAdmin[ProductLine]):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["name", "sku", "line", "price", "currency", "is_active"]
    list_filter = ["line", "is_active"]
    search_fields = ["name", "sku"]
