"""The portal's URLs plus one probe page for the CSP browser test: the real layout with two inline
scripts, one carrying the request's nonce and one without it."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

PROBE = """{% extends "base.html" %}
{% block content %}
<p id="nonced">not run</p><p id="inline">not run</p><p id="handler">not run</p>
<img id="broken" src="/no-such-image.png" alt="" onerror="document.getElementById('handler').textContent = 'ran'">
{% endblock %}
{% block extra_body %}
<script nonce="{{ request.csp_nonce }}">document.getElementById("nonced").textContent = "ran";</script>
<script>document.getElementById("inline").textContent = "ran";</script>
{% endblock %}"""


@login_not_required
def csp_probe(request):
    return HttpResponse(engines["django"].from_string(PROBE).render({}, request))


urlpatterns = [path("csp-probe/", csp_probe), *portal_urlpatterns]
