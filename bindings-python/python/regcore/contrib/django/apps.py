from __future__ import annotations

from django.apps import AppConfig


class RegcoreConfig(AppConfig):
    name = "regcore.contrib.django"
    label = "regcore"
    verbose_name = "regcore"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.core.signals import setting_changed

        from . import backends, conf

        user_logged_in.connect(backends.settle_success, dispatch_uid="regcore.settle_success")
        user_login_failed.connect(backends.forget_admissions, dispatch_uid="regcore.forget_admissions")
        setting_changed.connect(conf.on_setting_changed, dispatch_uid="regcore.setting_changed")
