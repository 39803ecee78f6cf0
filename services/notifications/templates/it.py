"""E-mail texts in Italian (formal register)."""

COMMON = {
    "greeting": "Gentile {name},",
    "greeting_anonymous": "Gentile utente,",
    "site": "sede {site_name}",
    "expires": "Per sicurezza, il link può essere usato una sola volta ed è valido fino al "
               "{expires_at}.",
    "datetime": "%d/%m/%Y alle %H:%M",
    "signature": "Cordiali saluti,\nIl team di Ponte",
    "footer": "Questo è un messaggio automatico. La preghiamo di non rispondere a questa e-mail.",
}

EMAILS = {
    "provider_invited": {
        "subject": "Invito a completare la registrazione su Ponte",
        "paragraphs": [
            "L'operatore ha pre-registrato {who} come struttura convenzionata su Ponte.",
            "Per completare la registrazione, apra il link qui sotto: CNPJ o CPF, indirizzo "
            "e-mail e ragione sociale sono già compilati. È sufficiente indicare il tipo di "
            "struttura, scegliere una password e accettare i termini d'uso.",
        ],
        "action": "Completa la registrazione",
    },
    "staff_created": {
        "subject": "Il Suo account Ponte è pronto: imposti la password",
        "paragraphs": [
            "Un amministratore ha creato per Lei un account del personale su Ponte.",
            "Per il primo accesso, imposti la Sua password tramite il link qui sotto.",
        ],
        "action": "Imposta la password",
    },
    "password_reset_requested": {
        "subject": "Reimpostazione della password di Ponte",
        "paragraphs": [
            "Abbiamo ricevuto una richiesta di reimpostazione della password del Suo account "
            "Ponte. Per sceglierne una nuova, apra il link qui sotto. Al termine, le sessioni "
            "aperte verranno chiuse.",
            "Se non ha fatto Lei questa richiesta, ignori questa e-mail: la password attuale "
            "resta valida.",
        ],
        "action": "Reimposta la password",
    },
    "account_deleted": {
        "subject": "Conferma della cancellazione del Suo profilo Ponte",
        "paragraphs": [
            "Le confermiamo che il Suo profilo su Ponte è stato cancellato. Tutte le sessioni "
            "sono state chiuse e i collegamenti con altri profili sono stati terminati.",
            "Se non riconosce questa cancellazione, contatti l'assistenza dell'operatore.",
        ],
        "provider_paragraphs": [
            "I dati pubblici essenziali della struttura restano visibili nella rete convenzionata.",
        ],
    },
    "provider_registered": {
        "subject": "Registrazione completata su Ponte",
        "paragraphs": [
            "La registrazione di {who} su Ponte è stata completata.",
            "Può già accedere con il Suo indirizzo e-mail e la password scelta per inviare "
            "richieste di autorizzazione, seguire i pagamenti e gestire i collegamenti con il "
            "personale di segreteria.",
        ],
    },
    "secretary_registered": {
        "subject": "Le diamo il benvenuto su Ponte",
        "paragraphs": [
            "La Sua registrazione su Ponte è stata completata.",
            "Le strutture per cui lavora possono ora inviarLe inviti di collegamento, che "
            "troverà nel Suo account per accettarli o rifiutarli.",
        ],
    },
    "citizen_registered": {
        "subject": "Le diamo il benvenuto su Ponte",
        "paragraphs": [
            "La Sua registrazione su Ponte è stata completata.",
            "Può già consultare i servizi disponibili, presentare richieste e seguire ogni fase "
            "della pratica.",
        ],
    },
    "password_changed": {
        "subject": "La password di Ponte è stata modificata",
        "paragraphs": [
            "La password del Suo account Ponte è stata modificata il {when}.",
            "Se la modifica è opera Sua, non deve fare nulla. Altrimenti, reimposti subito la "
            "password e avvisi l'assistenza dell'operatore.",
        ],
    },
    "email_changed": {
        "subject": "L'indirizzo e-mail del Suo account Ponte è stato modificato",
        "paragraphs": [
            "L'indirizzo e-mail di accesso del Suo account Ponte è stato modificato in "
            "{new_email} il {when}. D'ora in poi i messaggi di Ponte saranno inviati al nuovo "
            "indirizzo.",
            "Se non riconosce questa modifica, contatti subito l'assistenza dell'operatore.",
        ],
    },
}
