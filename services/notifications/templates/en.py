"""E-mail texts in English."""

COMMON = {
    "greeting": "Hello {name},",
    "greeting_anonymous": "Hello,",
    "site": "site {site_name}",
    "expires": "For your security, the link can be used only once and is valid until "
               "{expires_at}.",
    "datetime": "%Y-%m-%d at %H:%M",
    "signature": "Kind regards,\nThe Ponte team",
    "footer": "This is an automatic message. Please do not reply to this e-mail.",
}

EMAILS = {
    "provider_invited": {
        "subject": "Complete your Ponte registration",
        "paragraphs": [
            "The operator has pre-registered {who} as an accredited provider on Ponte.",
            "To complete the registration, open the link below: the CNPJ or CPF, the e-mail "
            "address and the legal name are already filled in. Just choose the provider type, "
            "create your password and accept the terms of use.",
        ],
        "action": "Complete registration",
    },
    "staff_created": {
        "subject": "Your Ponte account is ready: set your password",
        "paragraphs": [
            "An administrator has created a staff account for you on Ponte.",
            "To sign in for the first time, set your password using the link below.",
        ],
        "action": "Set password",
    },
    "password_reset_requested": {
        "subject": "Reset your Ponte password",
        "paragraphs": [
            "We received a request to reset the password of your Ponte account. To choose a new "
            "password, open the link below. Once you do, your open sessions will be signed out.",
            "If you did not ask for this, ignore this e-mail: your current password remains "
            "valid.",
        ],
        "action": "Reset password",
    },
    "account_deleted": {
        "subject": "Your Ponte profile has been deleted",
        "paragraphs": [
            "This confirms that your Ponte profile has been deleted. All your sessions have been "
            "ended and your links with other profiles have been closed.",
            "If you do not recognise this deletion, please contact the operator's support.",
        ],
        "provider_paragraphs": [
            "The provider's basic public details remain visible in the provider network.",
        ],
    },
    "provider_registered": {
        "subject": "Your Ponte registration is complete",
        "paragraphs": [
            "The registration of {who} on Ponte is complete.",
            "You can now sign in with your e-mail address and the password you chose to submit "
            "authorization requests, follow payments and manage your secretaries' access.",
        ],
    },
    "secretary_registered": {
        "subject": "Welcome to Ponte",
        "paragraphs": [
            "Your Ponte registration is complete.",
            "The providers you work for can now send you relationship invitations. They will "
            "appear in your account for you to accept or decline.",
        ],
    },
    "citizen_registered": {
        "subject": "Welcome to Ponte",
        "paragraphs": [
            "Your Ponte registration is complete.",
            "You can now browse the available services, submit requests and follow each step of "
            "your case.",
        ],
    },
    "password_changed": {
        "subject": "Your Ponte password was changed",
        "paragraphs": [
            "The password of your Ponte account was changed on {when}.",
            "If this was you, no action is needed. If you do not recognise this change, reset "
            "your password right away and let the operator's support know.",
        ],
    },
    "email_changed": {
        "subject": "The e-mail address of your Ponte account was changed",
        "paragraphs": [
            "The sign-in e-mail address of your Ponte account was changed to {new_email} on "
            "{when}. From now on, Ponte will write to the new address.",
            "If you do not recognise this change, please contact the operator's support right "
            "away.",
        ],
    },
}
