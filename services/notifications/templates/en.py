"""The e-mail frame in English."""

COMMON = {
    "greeting": "Hello {name},",
    "greeting_anonymous": "Hello,",
    "site": "site {site_name}",
    "expires": "For your security, the link can be used only once and is valid until "
               "{expires_at}.",
    "datetime": "%Y-%m-%d at %H:%M",
    "zone": "{city} time",
    "open": "View it on Ponte",
    "signature": "Kind regards,\nThe Ponte team",
    "footer": "This is an automatic message. Please do not reply to this e-mail.",
}
