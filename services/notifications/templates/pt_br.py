"""The e-mail frame in Brazilian Portuguese (the default)."""

COMMON = {
    "greeting": "Olá, {name},",
    "greeting_anonymous": "Olá,",
    "site": "unidade {site_name}",
    "expires": "Por segurança, o link pode ser usado uma única vez e vale até {expires_at}.",
    "datetime": "%d/%m/%Y às %H:%M",
    "zone": "horário de {city}",
    "open": "Ver no Ponte",
    "signature": "Atenciosamente,\nEquipe Ponte",
    "footer": "Esta é uma mensagem automática. Por favor, não responda a este e-mail.",
}
