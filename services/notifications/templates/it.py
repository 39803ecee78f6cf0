"""The e-mail frame in Italian (formal register)."""

COMMON = {
    "greeting": "Gentile {name},",
    "greeting_anonymous": "Gentile utente,",
    "site": "sede {site_name}",
    "expires": "Per sicurezza, il link può essere usato una sola volta ed è valido fino al "
               "{expires_at}.",
    "datetime": "%d/%m/%Y alle %H:%M",
    "zone": "ora di {city}",
    "open": "Vedi su Ponte",
    "signature": "Cordiali saluti,\nIl team di Ponte",
    "footer": "Questo è un messaggio automatico. La preghiamo di non rispondere a questa e-mail.",
}
