"""The portal's views: each shows one regcore feature through regcore.contrib.django."""

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

import regcore
from regcore.contrib.django import codes, conf
from regcore.contrib.django.backends import current_lock
from regcore.contrib.django.lang import language
from regcore.contrib.django.middleware import lockout_response

from . import outbox as outbox_mod

# Page chrome only; every rule, error and lock message comes from regcore.
LABELS = {
    "title": ("UPS registration portal (regcore example)", "UPS登録ポータル（regcore サンプル）"),
    "home": ("Home", "ホーム"),
    "signup": ("Sign up", "新規登録"),
    "verify": ("Enter the code", "確認コードの入力"),
    "outbox": ("Outbox", "送信済みメール"),
    "login": ("Log in", "ログイン"),
    "logout": ("Log out", "ログアウト"),
    "ups": ("Register a UPS", "UPSの登録"),
    "dealer": ("Dealer: registration keys", "販売店：登録キー発行"),
    "email": ("E-mail", "メールアドレス"),
    "password": ("Password", "パスワード"),
    "code": ("Code", "確認コード"),
    "submit": ("Submit", "送信"),
    "serial": ("Serial number", "シリアル番号"),
    "key_code": ("Key code", "キーコード"),
    "decimal": ("decimal", "10進"),
    "binary": ("binary", "2進"),
    "mpr_id": ("MPR ID (terminal)", "MPR ID（端末）"),
    "activation_key": ("Activation key", "アクティベーションキー"),
    "registration_id": ("Registration ID", "登録ID"),
    "registration_key": ("Registration key", "登録キー"),
    "samples": ("Activation keys of this demo", "このデモのアクティベーションキー"),
    "mailed": ("A code was sent to your address (see the outbox).", "確認コードを送信しました（送信済みメールを参照）。"),
    "verified": ("Your address is verified. Please log in.", "メールアドレスを確認しました。ログインしてください。"),
    "wrong": ("Wrong e-mail or password.", "メールアドレスまたはパスワードが違います。"),
    "welcome": ("Logged in as", "ログイン中："),
    "taken": ("This address is already registered.", "このメールアドレスは登録済みです。"),
    "retry": ("Retry after (seconds)", "再試行までの秒数"),
}


def ctx(request, **extra):
    i = 1 if language() == "ja" else 0
    return {"t": {k: v[i] for k, v in LABELS.items()}, "lang": language(), **extra}


def error_text(e: Exception) -> str:
    return getattr(e, "message_ja" if language() == "ja" else "message_en", str(e))


def master() -> regcore.MasterSecret:
    return regcore.MasterSecret(1, settings.PORTAL_MASTER_SECRET)


def home(request):
    return render(request, "home.html", ctx(request))


def set_lang(request, code):
    nxt = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    response = redirect(nxt)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, "ja" if code == "ja" else "en")
    return response


def help_texts():
    # One line per rule (regcore's validator lists describe()), others as Django gives them.
    return [h for v in get_default_password_validators()
            for h in (v.help_texts() if hasattr(v, "help_texts") else [v.get_help_text()])]


def signup(request):
    errors, email = [], request.POST.get("email", "").strip()
    if request.method == "POST":
        password = request.POST.get("password", "")
        try:
            email = str(regcore.EmailAddress(email))
        except regcore.RegcoreError as e:
            errors.append(error_text(e))
        try:
            validate_password(password, User(username=email, email=email))
        except ValidationError as e:
            errors.extend(e.messages)  # every unmet rule, in the active language
        if not errors and User.objects.filter(username=email, is_active=True).exists():
            errors.append(ctx(request)["t"]["taken"])
        if not errors:
            user = User.objects.filter(username=email).first() or User(username=email, email=email)
            user.is_active = False
            user.set_password(password)
            user.save()
            code = codes.issue("sign_up", email)
            send_mail("Your sign-up code / 確認コード", f"{code}", "portal@example.com", [email])
            return redirect(f"/verify/?email={email}")
    return render(request, "signup.html", ctx(request, errors=errors, email=email,
                                               help_texts=help_texts()))


def verify(request):
    message, email = None, request.POST.get("email") or request.GET.get("email", "")
    if request.method == "POST":
        result = codes.verify("sign_up", email, request.POST.get("code", "").strip())
        if result.ok:
            User.objects.filter(username=email).update(is_active=True)
            return redirect("/login/?verified=1")
        message = result.message
    return render(request, "verify.html", ctx(request, email=email, message=message))


def outbox(request):
    return render(request, "outbox.html", ctx(request, messages=outbox_mod.messages()))


def login_view(request):
    error, username = None, request.POST.get("username", "")
    if request.method == "POST":
        user = authenticate(request, username=username, password=request.POST.get("password", ""))
        if user is not None:
            login(request, user)
            return redirect("/ups/")
        # Refused while locked: LockoutMiddleware answers 429. A failure that
        # just locked the account says so at once, with the retry time.
        locked = getattr(request, "regcore_locked", None) or current_lock(username, request)
        if locked is not None:
            return lockout_response(request, locked)
        error = ctx(request)["t"]["wrong"]
    return render(request, "login.html", ctx(request, error=error, username=username,
                                              verified=request.GET.get("verified")))


def logout_view(request):
    logout(request)
    return redirect("/")


@login_required
def ups(request):
    result, error, serial = None, None, request.POST.get("serial", "")
    if request.method == "POST":
        try:
            s = regcore.UpsSerial(serial)
            key = regcore.KeyCode.for_serial(master(), s)
            result = {"serial": str(s), "decimal": key.decimal, "binary": key.binary}
            request.session.setdefault("ups", [])
            request.session["ups"] = [result, *[r for r in request.session["ups"] if r["serial"] != str(s)]]
        except regcore.RegcoreError as e:
            error = error_text(e)
    return render(request, "ups.html", ctx(request, result=result, error=error, serial=serial,
                                            registered=request.session.get("ups", [])))


def sample_keys():
    authority = regcore.ActivationAuthority(master())
    return [authority.mint(0x0101, n) for n in (1, 2, 3)]


@login_required
def dealer(request):
    outcomes, error = [], None
    if request.method == "POST":
        try:
            key = regcore.ActivationKey(request.POST.get("activation_key", ""), request.POST.get("registration_id", ""))
            plan = conf.store().ledger_issue(master(), regcore.IssuanceRequest(request.POST.get("mpr_id", ""), [key]))
            for o in plan.outcomes:
                outcomes.append({
                    "number": str(o.activation_number), "outcome": o.outcome,
                    "key": str(o.registration_key) if o.registration_key else "",
                    "refusal": o.refusal.message(language()) if o.refusal else "",
                })
        except regcore.RegcoreError as e:
            error = error_text(e)
    return render(request, "dealer.html", ctx(request, outcomes=outcomes, error=error, samples=sample_keys(),
                                               bindings=conf.store().ledger_bindings(), form=request.POST))
