"""The API's English messages that the catalogues translate (``gateway/locale``).

Messages are matched by their exact text, so a message written anywhere in the gateway or a
service is translated once its text is a message id of the catalogues. Listed here are those
that are written elsewhere (marshmallow, the problem titles, the services) and so would not be
found by ``make i18n``'s extraction, and the :data:`TEMPLATES`: messages that carry values,
matched with the values kept (``{max}`` in the id stands for whatever the message holds there).
"""
from __future__ import annotations

from gateway.i18n import N_

TITLES = [
    N_("Internal error"), N_("Bad request"), N_("Not authenticated"), N_("Forbidden"),
    N_("Not found"), N_("Method not allowed"), N_("Conflict"), N_("Payload too large"),
    N_("Unsupported media type"), N_("Invalid input"), N_("Too many attempts"),
    N_("Service unavailable"), N_("Request timeout"), N_("Length required"),
    N_("URI too long"), N_("Request header fields too large"),
]

# marshmallow's standard messages, and the project's own
MESSAGES = [
    N_("Missing data for required field."), N_("Field may not be null."),
    N_("Invalid input type."), N_("Invalid value."), N_("Not a valid string."),
    N_("Not a valid integer."), N_("Not a valid number."), N_("Not a valid boolean."),
    N_("Not a valid date."), N_("Not a valid datetime."), N_("Not a valid time."),
    N_("Not a valid email address."), N_("Not a valid URL."), N_("Not a valid UUID."),
    N_("Not a valid list."), N_("Not a valid mapping type."), N_("Not a valid decimal."),
    N_("Not a valid tuple."), N_("Unknown field."), N_("Invalid input."),
    N_("Shorter than minimum length 1."), N_("Must be equal to True."),
    N_("Must not contain the NUL character."), N_("Must be a JSON object."),
    N_("Must be valid JSON text in UTF-8."), N_("Give this parameter once."),
    N_("The JSON body must be an object."), N_("The body is not valid JSON."),
    N_("Send the body as application/json."), N_("A query parameter was repeated."),
    N_("Not found."), N_("Your account may not use this endpoint."),
    N_("Your account may not do this."), N_("You do not act for this provider."),
    N_("The access token has expired."), N_("The access token is not valid."),
    N_("This session has ended; sign in again."),
    N_("Send an access token: Authorization: Bearer <token>."),
    N_("Too many failed sign-in attempts; try again later."),
    N_("Too many sign-in attempts at once; try again in a moment."),
    N_("The refresh token is not valid; sign in again."),
    N_("This account is no longer active; sign in again."),
    N_("The current password is not correct."), N_("Already registered."),
    N_("An account with this e-mail already exists."),
    N_("An account of this kind with this CPF already exists."),
    N_("The e-mail or the CPF is already registered."),
    N_("Not a valid CPF."), N_("Not a valid CNPJ."), N_("The CPF check digits do not match."),
    N_("The CNPJ check digits do not match."), N_("A CPF has 11 digits."),
    N_("Give a CPF (11 digits) or a CNPJ (14 characters)."),
    N_("Does not match the password."), N_("Does not match the e-mail."),
    N_("The terms must be accepted."), N_("Use at least 6 characters."),
    N_("Use at most 128 characters."), N_("Include at least one letter."),
    N_("Include at least one digit."),
    N_("Include at least one special character, such as # or !."),
    N_("This link is unknown, used or expired."),
    N_("This site shares its e-mail with another site: give an e-mail of its own."),
    N_("The message broker is not reachable right now."),
    N_("Unknown notification type for this account."), N_("Must be true or false."),
    N_("Security e-mails cannot be switched off."), N_("Some preferences cannot be set."),
    # attendance: a service's form answered, bookings and follow-ups
    N_("Required."), N_("Must be text."), N_("Must be a number."), N_("At most 10^15."),
    N_("Must be a date YYYY-MM-DD."), N_("Must be an e-mail address."),
    N_("This service's form has no such field."), N_("Some answers are missing or not valid."),
    N_("Must not be blank."), N_("Must be in the future."), N_("At most two years ahead."),
    N_("It must start in the future."), N_("Not a valid date-time."),
]

TEMPLATES = [
    N_("Some fields are invalid: {fields}."),
    N_("Must be one of: {choices}."),
    N_("Choose one of: {choices}."),
    N_("Longer than maximum length {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("String does not match expected pattern."),
    N_("Something went wrong on our side; it has been logged with correlation id {id}."),
    N_("The request body is larger than {limit} bytes."),
]
