from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.models import Membership, Project, User


@admin.register(User)
class ModuleBenchUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("ModuleBench", {"fields": ("full_name", "role")}))
    list_display = ("username", "full_name", "role", "is_active")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "created_at")
    inlines = [MembershipInline]
