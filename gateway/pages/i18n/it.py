"""Texts of the pages in Italian (formal register), worded like the e-mails."""

TEXTS = {
    "brand": "Ponte",
    "skip": "Vai al contenuto",
    "footer_terms": "Termini d'uso",
    "footer_forgot": "Password dimenticata",
    "required": "obbligatorio",
    "optional": "facoltativo",
    "errors_title": "Non è stato possibile completare l'operazione. Corregga quanto indicato:",
    "error_network": "Non è stato possibile contattare il server. Verifichi la connessione e "
                     "riprovi.",
    "error_generic": "Si è verificato un errore da parte nostra. Riprovi tra qualche istante.",
    "error_busy": "Troppi tentativi di seguito. Attenda qualche istante e riprovi.",
    "sending": "Invio in corso…",
    "date": "%d/%m/%Y",
    "datetime": "%d/%m/%Y alle %H:%M",
    # password
    "password": "Password",  # nosec B105 # a form label
    "password_confirmation": "Conferma password",  # nosec B105 # a form label
    "policy_title": "La password deve avere:",
    "rule_length": "almeno 6 caratteri",
    "rule_letter": "almeno una lettera",
    "rule_digit": "almeno un numero",
    "rule_special": "almeno un carattere speciale, come # o !",
    "rule_met": "soddisfatto",
    "rule_unmet": "mancante",
    "match_ok": "Le password coincidono.",
    "match_no": "Le password non coincidono ancora.",
    # registration
    "registration_title": "Registrazione della struttura",
    "registration_heading": "Completa la registrazione",
    "registration_intro": "L'operatore ha pre-registrato {who} come struttura convenzionata su "
                          "Ponte. CNPJ o CPF, indirizzo e-mail e ragione sociale sono già "
                          "compilati. È sufficiente indicare il tipo di struttura, scegliere una "
                          "password e accettare i termini d'uso.",
    "site_label": "sede {site_name}",
    "prefilled": "Dati forniti dall'operatore",
    "cnpj": "CNPJ",
    "cpf": "CPF",
    "legal_name": "Ragione sociale",
    "person_name": "Nome",
    "site": "Sede",
    "email": "E-mail",
    "email_login_hint": "Questo indirizzo e-mail sarà il Suo nome utente.",
    "email_shared_hint": "Questo indirizzo e-mail è condiviso da più sedi. Indichi un indirizzo "
                         "e-mail univoco per questa sede: sarà il suo nome utente.",
    "secondary_email": "E-mail secondaria",
    "secondary_email_hint": "Un indirizzo e-mail alternativo per i contatti.",
    "provider_type": "Tipo di struttura",
    "provider_type_fixed": "Indicato alla registrazione della prima sede.",
    "choose": "Selezioni…",
    "type_clinic": "Studio/Clinica",
    "type_cooperative": "Cooperativa",
    "type_supplier": "Fornitore",
    "type_hospital": "Ospedale",
    "type_laboratory": "Laboratorio",
    "type_dentist": "Dentista",
    "sex": "Sesso",
    "sex_female": "Femminile",
    "sex_male": "Maschile",
    "accept_terms": "Ho letto e accetto i {terms}.",
    "accept_terms_link": "termini e condizioni d'uso",
    "registration_submit": "Completa la registrazione",
    "registration_done_title": "Registrazione completata su Ponte",
    "registration_done": "La registrazione di {who} su Ponte è stata completata.",
    "registration_done_login": "Può già accedere con il Suo nome utente e la password scelta. "
                               "Il Suo nome utente:",
    "registration_done_document": "Se la struttura ha una sola sede, può accedere anche con il "
                                  "{kind} {document}.",
    # password reset
    "reset_title": "Imposta la password",
    "reset_intro": "Scelga la password del Suo account Ponte. Al termine, le sessioni aperte "
                   "verranno chiuse.",
    "reset_submit": "Imposta la password",
    "reset_done_title": "Password impostata",
    "reset_done": "La Sua password è stata impostata il {when}.",
    "reset_done_login": "Può già accedere con il Suo indirizzo e-mail e la nuova password.",
    # forgot password
    "forgot_title": "Ha dimenticato la password?",
    "forgot_intro": "Inserisca il Suo indirizzo e-mail principale per reimpostare la password.",
    "forgot_submit": "Conferma",
    "forgot_done_title": "Controlli la Sua e-mail",
    "forgot_done": "Se questo indirizzo appartiene a un account Ponte, Le abbiamo inviato un "
                   "link per reimpostare la password. Per sicurezza, il link può essere usato "
                   "una sola volta ed è valido per un tempo limitato.",
    # link gone
    "gone_title": "Link non valido o scaduto",
    "gone": "Questo link è sconosciuto, è già stato usato oppure è scaduto. Per sicurezza, "
            "ogni link può essere usato una sola volta ed è valido per un tempo limitato.",
    "gone_registration": "Se la registrazione non è ancora completata, chieda un nuovo invito "
                         "all'operatore. Se lo è, acceda con il Suo nome utente e la password.",
    "gone_reset": "Può richiedere un nuovo link alla pagina {forgot}.",
    "error_title": "Pagina non disponibile",
    # terms
    "terms_title": "Termini e condizioni d'uso",
    "terms_updated": "Ultimo aggiornamento: {date}.",
    "terms": [
        ["Oggetto", "Ponte collega l'operatore alla sua rete di strutture convenzionate, al "
                    "personale di segreteria che lavora per esse e ai cittadini assistiti. "
                    "Questi termini regolano l'uso del portale e della sua API."],
        ["Account e password", "L'account è personale. Custodisca la password e non la "
                               "condivida: chi lavora per conto di una struttura deve avere un "
                               "proprio account di segreteria, con i ruoli che la struttura gli "
                               "concede."],
        ["Dati inseriti", "Lei è responsabile dell'esattezza dei dati che registra. Le modifiche "
                          "fatte sul portale non vengono trasmesse automaticamente "
                          "all'operatore."],
        ["Privacy", "I dati personali sono trattati secondo la legge brasiliana sulla "
                    "protezione dei dati (Legge n. 13.709/2018), solo per le finalità del "
                    "portale."],
        ["Cessazione", "Può cancellare il Suo profilo in qualsiasi momento. L'operatore può "
                       "sospendere gli account usati in violazione di questi termini."],
    ],
    "api": {
        "Missing data for required field.": "Campo obbligatorio.",
        "Not a valid email address.": "Inserisca un indirizzo e-mail valido.",
        "The terms must be accepted.": "È necessario accettare i termini d'uso.",
        "Must be equal to True.": "È necessario accettare i termini d'uso.",
        "Does not match the password.": "Non coincide con la password.",
        "Use at least 6 characters.": "Usi almeno 6 caratteri.",
        "Use at most 128 characters.": "Usi al massimo 128 caratteri.",
        "Include at least one letter.": "Includa almeno una lettera.",
        "Include at least one digit.": "Includa almeno un numero.",
        "Include at least one special character, such as # or !.":
            "Includa almeno un carattere speciale, come # o !.",
        "An account with this e-mail already exists.": "Esiste già un account con questo "
                                                       "indirizzo e-mail.",
        "This link is unknown, used or expired.": "Questo link è sconosciuto, già usato o "
                                                  "scaduto.",
        "This site shares its e-mail with another site: give an e-mail of its own.":
            "Questa sede condivide l'indirizzo e-mail con un'altra: ne indichi uno proprio.",
        "Not a valid string.": "Valore non valido.",
        "Not a valid boolean.": "Valore non valido.",
    },
    "api_choice": "Scelga una delle opzioni.",
}
