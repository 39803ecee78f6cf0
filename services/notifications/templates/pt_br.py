"""E-mail texts in Brazilian Portuguese (the default)."""

COMMON = {
    "greeting": "Olá, {name},",
    "greeting_anonymous": "Olá,",
    "site": "unidade {site_name}",
    "expires": "Por segurança, o link pode ser usado uma única vez e vale até {expires_at}.",
    "datetime": "%d/%m/%Y às %H:%M",
    "signature": "Atenciosamente,\nEquipe Ponte",
    "footer": "Esta é uma mensagem automática. Por favor, não responda a este e-mail.",
}

EMAILS = {
    "provider_invited": {
        "subject": "Convite para concluir seu cadastro no Ponte",
        "paragraphs": [
            "A operadora pré-cadastrou {who} como prestador credenciado no Ponte.",
            "Para concluir o cadastro, acesse o link abaixo: o CNPJ ou CPF, o e-mail e a razão "
            "social já vêm preenchidos. Basta informar o tipo de prestador, criar sua senha e "
            "aceitar os termos de uso.",
        ],
        "action": "Concluir cadastro",
    },
    "staff_created": {
        "subject": "Sua conta no Ponte foi criada: defina sua senha",
        "paragraphs": [
            "Um administrador criou uma conta de equipe para você no Ponte.",
            "Para fazer o primeiro acesso, defina sua senha pelo link abaixo.",
        ],
        "action": "Definir senha",
    },
    "password_reset_requested": {
        "subject": "Redefinição de senha do Ponte",
        "paragraphs": [
            "Recebemos um pedido para redefinir a senha da sua conta no Ponte. Para escolher uma "
            "nova senha, acesse o link abaixo. Ao concluir, as sessões abertas serão encerradas.",
            "Se você não fez este pedido, ignore este e-mail: sua senha atual continua válida.",
        ],
        "action": "Redefinir senha",
    },
    "account_deleted": {
        "subject": "Confirmação da exclusão do seu perfil no Ponte",
        "paragraphs": [
            "Confirmamos que o seu perfil no Ponte foi excluído. Todas as sessões foram "
            "encerradas e os vínculos com outros perfis foram finalizados.",
            "Se você não reconhece esta exclusão, entre em contato com o suporte da operadora.",
        ],
        "provider_paragraphs": [
            "Os dados públicos básicos do prestador continuam visíveis na rede credenciada.",
        ],
    },
    "provider_registered": {
        "subject": "Cadastro concluído no Ponte",
        "paragraphs": [
            "O cadastro de {who} no Ponte foi concluído com sucesso.",
            "Você já pode entrar com seu e-mail e a senha que escolheu para enviar solicitações "
            "de autorização, acompanhar pagamentos e gerenciar os vínculos com a sua equipe de "
            "secretariado.",
        ],
    },
    "secretary_registered": {
        "subject": "Boas-vindas ao Ponte",
        "paragraphs": [
            "Seu cadastro no Ponte foi concluído com sucesso.",
            "Os prestadores para quem você trabalha já podem enviar convites de vínculo. Eles "
            "aparecerão na sua conta para você aceitar ou recusar.",
        ],
    },
    "citizen_registered": {
        "subject": "Boas-vindas ao Ponte",
        "paragraphs": [
            "Seu cadastro no Ponte foi concluído com sucesso.",
            "Você já pode consultar os serviços disponíveis, fazer solicitações e acompanhar cada "
            "etapa do atendimento.",
        ],
    },
    "password_changed": {
        "subject": "Sua senha do Ponte foi alterada",
        "paragraphs": [
            "A senha da sua conta no Ponte foi alterada em {when}.",
            "Se foi você, nenhuma ação é necessária. Se não reconhece esta alteração, redefina "
            "sua senha imediatamente e avise o suporte da operadora.",
        ],
    },
    "email_changed": {
        "subject": "O e-mail da sua conta no Ponte foi alterado",
        "paragraphs": [
            "O e-mail de acesso da sua conta no Ponte foi alterado para {new_email} em {when}. "
            "A partir de agora, as mensagens do Ponte serão enviadas para o novo endereço.",
            "Se não reconhece esta alteração, entre em contato imediatamente com o suporte da "
            "operadora.",
        ],
    },
}
