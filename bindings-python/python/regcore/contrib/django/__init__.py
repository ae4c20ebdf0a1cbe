"""regcore as a Django drop-in (``pip install regcore[django]``).

Add ``"regcore.contrib.django"`` to ``INSTALLED_APPS`` and pick what you need:

- ``regcore.contrib.django.hashers.Argon2PasswordHasher`` in ``PASSWORD_HASHERS``
  (Django's own ``argon2$`` format, both ways);
- ``regcore.contrib.django.validators.PasswordPolicyValidator`` in
  ``AUTH_PASSWORD_VALIDATORS``;
- ``regcore.contrib.django.backends.LockoutBackend`` first in
  ``AUTHENTICATION_BACKENDS`` and ``regcore.contrib.django.middleware.LockoutMiddleware``
  in ``MIDDLEWARE`` (429 + ``Retry-After`` while locked);
- ``regcore.contrib.django.codes`` for sign-up and password-reset codes.

Every rule and message comes from the native module; this package reads
settings and converts. See docs/django.md.
"""
