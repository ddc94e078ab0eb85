from django.apps import AppConfig


class ModuleTypesConfig(AppConfig):
    name = "apps.moduletypes"
    label = "moduletypes"
