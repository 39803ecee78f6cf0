"""Texts of the pages in Brazilian Portuguese (the default), worded like the e-mails."""

TEXTS = {
    "brand": "Ponte",
    "skip": "Ir para o conteúdo",
    "footer_terms": "Termos de uso",
    "footer_forgot": "Esqueci minha senha",
    "required": "obrigatório",
    "optional": "opcional",
    "errors_title": "Não foi possível concluir. Corrija o que está indicado:",
    "error_network": "Não foi possível falar com o servidor. Verifique sua conexão e tente de "
                     "novo.",
    "error_generic": "Algo deu errado do nosso lado. Tente de novo em instantes.",
    "error_busy": "Muitas tentativas seguidas. Aguarde um pouco e tente de novo.",
    "sending": "Enviando…",
    "date": "%d/%m/%Y",
    "datetime": "%d/%m/%Y às %H:%M",
    # password
    "password": "Senha",  # nosec B105 # a form label
    "password_confirmation": "Confirmação da senha",  # nosec B105 # a form label
    "policy_title": "A senha precisa ter:",
    "rule_length": "ao menos 6 caracteres",
    "rule_letter": "ao menos uma letra",
    "rule_digit": "ao menos um número",
    "rule_special": "ao menos um caractere especial, como # ou !",
    "rule_met": "atendido",
    "rule_unmet": "pendente",
    "match_ok": "As senhas conferem.",
    "match_no": "As senhas ainda não conferem.",
    # registration
    "registration_title": "Cadastro de Prestador",
    "registration_heading": "Concluir cadastro",
    "registration_intro": "A operadora pré-cadastrou {who} como prestador credenciado no Ponte. "
                          "O CNPJ ou CPF, o e-mail e a razão social já vêm preenchidos. Basta "
                          "informar o tipo de prestador, criar sua senha e aceitar os termos de "
                          "uso.",
    "site_label": "unidade {site_name}",
    "prefilled": "Dados informados pela operadora",
    "cnpj": "CNPJ",
    "cpf": "CPF",
    "legal_name": "Razão social",
    "person_name": "Nome",
    "site": "Unidade",
    "email": "E-mail",
    "email_login_hint": "Este e-mail será o seu login.",
    "email_shared_hint": "Este e-mail é compartilhado por várias unidades. Informe um e-mail "
                         "próprio e exclusivo para esta unidade: ele será o login dela.",
    "secondary_email": "E-mail secundário",
    "secondary_email_hint": "Um e-mail alternativo para contato.",
    "provider_type": "Tipo de prestador",
    "provider_type_fixed": "Definido no cadastro da primeira unidade.",
    "choose": "Selecione…",
    "type_clinic": "Consultório/Clínica",
    "type_cooperative": "Cooperativa",
    "type_supplier": "Fornecedor",
    "type_hospital": "Hospital",
    "type_laboratory": "Laboratório",
    "type_dentist": "Dentista",
    "sex": "Sexo",
    "sex_female": "Feminino",
    "sex_male": "Masculino",
    "accept_terms": "Li e concordo com os {terms}.",
    "accept_terms_link": "termos e condições de uso",
    "registration_submit": "Concluir cadastro",
    "registration_done_title": "Cadastro concluído no Ponte",
    "registration_done": "O cadastro de {who} no Ponte foi concluído com sucesso.",
    "registration_done_login": "Você já pode entrar com seu login e a senha que escolheu. "
                               "Seu login:",
    "registration_done_document": "Se o prestador tiver uma única unidade, também é possível "
                                  "entrar com o {kind} {document}.",
    # password reset
    "reset_title": "Definir senha",
    "reset_intro": "Escolha a senha da sua conta no Ponte. Ao concluir, as sessões abertas "
                   "serão encerradas.",
    "reset_submit": "Definir senha",
    "reset_done_title": "Senha definida",
    "reset_done": "Sua senha foi definida em {when}.",
    "reset_done_login": "Você já pode entrar com seu e-mail e a nova senha.",
    # forgot password
    "forgot_title": "Esqueceu sua senha?",
    "forgot_intro": "Informe seu endereço de e-mail principal para redefinir sua senha.",
    "forgot_submit": "Confirmar",
    "forgot_done_title": "Confira seu e-mail",
    "forgot_done": "Se este e-mail pertencer a uma conta do Ponte, enviamos para ele um link "
                   "para redefinir a senha. Por segurança, o link pode ser usado uma única vez "
                   "e vale por tempo limitado.",
    # link gone
    "gone_title": "Link inválido ou expirado",
    "gone": "Este link é desconhecido, já foi usado ou expirou. Por segurança, cada link pode "
            "ser usado uma única vez e vale por tempo limitado.",
    "gone_registration": "Se o cadastro ainda não foi concluído, peça um novo convite à "
                         "operadora. Se já foi, entre com seu login e senha.",
    "gone_reset": "Você pode pedir um novo link em {forgot}.",
    "error_title": "Página indisponível",
    # terms
    "terms_title": "Termos e condições de uso",
    "terms_updated": "Última atualização: {date}.",
    "terms": [
        ["Objeto", "O Ponte liga a operadora à sua rede de prestadores credenciados, às "
                   "secretárias e secretários que trabalham para eles e aos cidadãos atendidos. "
                   "Estes termos regem o uso do portal e da sua API."],
        ["Conta e senha", "A conta é pessoal. Guarde sua senha em sigilo e não a compartilhe: "
                          "quem trabalha em nome de um prestador deve ter sua própria conta de "
                          "secretária/o, com os papéis que o prestador lhe conceder."],
        ["Dados informados", "Você é responsável pela exatidão das informações que registra. "
                             "Alterações cadastrais feitas no portal não são repassadas "
                             "automaticamente à operadora."],
        ["Privacidade", "Os dados pessoais são tratados conforme a Lei Geral de Proteção de "
                        "Dados (Lei nº 13.709/2018), apenas para as finalidades do portal."],
        ["Encerramento", "Você pode excluir seu perfil a qualquer momento. A operadora pode "
                         "suspender contas usadas em desacordo com estes termos."],
    ],
    # API messages, translated where known (the API answers in English)
    "api": {
        "Missing data for required field.": "Campo obrigatório.",
        "Not a valid email address.": "Informe um e-mail válido.",
        "The terms must be accepted.": "É preciso aceitar os termos de uso.",
        "Must be equal to True.": "É preciso aceitar os termos de uso.",
        "Does not match the password.": "Não confere com a senha.",
        "Use at least 6 characters.": "Use ao menos 6 caracteres.",
        "Use at most 128 characters.": "Use no máximo 128 caracteres.",
        "Include at least one letter.": "Inclua ao menos uma letra.",
        "Include at least one digit.": "Inclua ao menos um número.",
        "Include at least one special character, such as # or !.":
            "Inclua ao menos um caractere especial, como # ou !.",
        "An account with this e-mail already exists.": "Já existe uma conta com este e-mail.",
        "This link is unknown, used or expired.": "Este link é desconhecido, já foi usado ou "
                                                  "expirou.",
        "This site shares its e-mail with another site: give an e-mail of its own.":
            "Esta unidade compartilha o e-mail com outra: informe um e-mail próprio.",
        "Not a valid string.": "Valor inválido.",
        "Not a valid boolean.": "Valor inválido.",
    },
    "api_choice": "Escolha uma das opções.",
}
