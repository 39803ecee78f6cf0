"""Texts of the pages in English, worded like the e-mails."""

TEXTS = {
    "brand": "Ponte",
    "skip": "Skip to content",
    "footer_terms": "Terms of use",
    "footer_forgot": "Forgot my password",
    "required": "required",
    "optional": "optional",
    "errors_title": "This could not be completed. Please correct what is shown:",
    "error_network": "The server could not be reached. Check your connection and try again.",
    "error_generic": "Something went wrong on our side. Please try again in a moment.",
    "error_busy": "Too many attempts in a row. Please wait a little and try again.",
    "sending": "Sending…",
    "date": "%Y-%m-%d",
    "datetime": "%Y-%m-%d at %H:%M",
    # password
    "password": "Password",  # nosec B105 # a form label
    "password_confirmation": "Confirm password",  # nosec B105 # a form label
    "policy_title": "The password needs:",
    "rule_length": "at least 6 characters",
    "rule_letter": "at least one letter",
    "rule_digit": "at least one digit",
    "rule_special": "at least one special character, such as # or !",
    "rule_met": "met",
    "rule_unmet": "missing",
    "match_ok": "The passwords match.",
    "match_no": "The passwords do not match yet.",
    # registration
    "registration_title": "Provider registration",
    "registration_heading": "Complete registration",
    "registration_intro": "The operator has pre-registered {who} as an accredited provider on "
                          "Ponte. The CNPJ or CPF, the e-mail address and the legal name are "
                          "already filled in. Just choose the provider type, create your password "
                          "and accept the terms of use.",
    "site_label": "site {site_name}",
    "prefilled": "Details given by the operator",
    "cnpj": "CNPJ",
    "cpf": "CPF",
    "legal_name": "Legal name",
    "person_name": "Name",
    "site": "Site",
    "email": "E-mail",
    "email_login_hint": "This e-mail will be your login.",
    "email_shared_hint": "This e-mail is shared by several sites. Give an e-mail address of this "
                         "site's own: it will be the site's login.",
    "secondary_email": "Secondary e-mail",
    "secondary_email_hint": "An alternative e-mail address for contact.",
    "provider_type": "Provider type",
    "provider_type_fixed": "Set when the first site registered.",
    "choose": "Choose…",
    "type_clinic": "Practice/Clinic",
    "type_cooperative": "Cooperative",
    "type_supplier": "Supplier",
    "type_hospital": "Hospital",
    "type_laboratory": "Laboratory",
    "type_dentist": "Dentist",
    "sex": "Sex",
    "sex_female": "Female",
    "sex_male": "Male",
    "accept_terms": "I have read and agree to the {terms}.",
    "accept_terms_link": "terms and conditions of use",
    "registration_submit": "Complete registration",
    "registration_done_title": "Your Ponte registration is complete",
    "registration_done": "The registration of {who} on Ponte is complete.",
    "registration_done_login": "You can now sign in with your login and the password you "
                               "chose. Your login:",
    "registration_done_document": "If the provider has a single site, you can also sign in "
                                  "with the {kind} {document}.",
    # password reset
    "reset_title": "Set password",
    "reset_intro": "Choose the password of your Ponte account. Once you do, your open sessions "
                   "will be signed out.",
    "reset_submit": "Set password",
    "reset_done_title": "Password set",
    "reset_done": "Your password was set on {when}.",
    "reset_done_login": "You can now sign in with your e-mail address and the new password.",
    # forgot password
    "forgot_title": "Forgot your password?",
    "forgot_intro": "Enter your main e-mail address to reset your password.",
    "forgot_submit": "Confirm",
    "forgot_done_title": "Check your e-mail",
    "forgot_done": "If this e-mail address belongs to a Ponte account, we have sent it a link "
                   "to reset the password. For your security, the link can be used only once "
                   "and is valid for a limited time.",
    # link gone
    "gone_title": "Link not valid or expired",
    "gone": "This link is unknown, has already been used or has expired. For your security, "
            "each link can be used only once and is valid for a limited time.",
    "gone_registration": "If the registration is not complete yet, ask the operator for a new "
                         "invitation. If it is, sign in with your login and password.",
    "gone_reset": "You can ask for a new link on {forgot}.",
    "error_title": "Page unavailable",
    # terms
    "terms_title": "Terms and conditions of use",
    "terms_updated": "Last updated: {date}.",
    "terms": [
        ["Purpose", "Ponte connects the operator with its network of accredited providers, the "
                    "secretaries who work for them and the citizens they serve. These terms "
                    "govern the use of the portal and its API."],
        ["Account and password", "Your account is personal. Keep your password secret and do "
                                 "not share it: whoever works on a provider's behalf must have "
                                 "a secretary account of their own, with the roles the "
                                 "provider grants."],
        ["Information you give", "You are responsible for the accuracy of what you record. "
                                 "Changes made on the portal are not passed on to the operator "
                                 "automatically."],
        ["Privacy", "Personal data is processed under Brazil's General Data Protection Law "
                    "(Law 13,709/2018), only for the purposes of the portal."],
        ["Ending", "You can delete your profile at any time. The operator may suspend accounts "
                   "used against these terms."],
    ],
    "api": {},
    "api_choice": "Choose one of the options.",
}
