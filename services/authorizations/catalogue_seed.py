"""The starting dental catalogue, in the style of the TUSS table 22 (8-digit codes): what a
dental network desk sees every day. The operator adds and edits procedures afterwards
(``POST``/``PATCH /api/v1/procedures``). Columns: code, name, requires_review, requires_tooth,
requires_region, requires_faces. Review is asked for what needs a specialist's technical look
(001: root canals, prostheses, orthodontics, surgery of included teeth)."""
from __future__ import annotations

STARTING_CATALOGUE: tuple[tuple[str, str, bool, bool, bool, bool], ...] = (
    # consultations and prevention
    ("81000030", "Consulta odontológica", False, False, False, False),
    ("81000049", "Consulta odontológica de urgência", False, False, False, False),
    ("81000065", "Consulta odontológica inicial", False, False, False, False),
    ("84000139", "Profilaxia: polimento coronário", False, False, False, False),
    ("84000198", "Aplicação tópica de flúor", False, False, False, False),
    ("84000090", "Aplicação de selante de fóssulas e fissuras", False, True, False, False),
    # radiographs
    ("81000421", "Radiografia periapical", False, True, False, False),
    ("81000340", "Radiografia interproximal (bite-wing)", False, False, True, False),
    ("81000375", "Radiografia oclusal", False, False, True, False),
    ("81000383", "Radiografia panorâmica de mandíbula/maxila (ortopantomografia)",
     False, False, False, False),
    ("81000405", "Telerradiografia com traçado cefalométrico", True, False, False, False),
    # restorations, per tooth and face
    ("85100099", "Restauração de amálgama – 1 face", False, True, False, True),
    ("85100102", "Restauração de amálgama – 2 faces", False, True, False, True),
    ("85100196", "Restauração em resina fotopolimerizável – 1 face", False, True, False, True),
    ("85100200", "Restauração em resina fotopolimerizável – 2 faces", False, True, False, True),
    ("85100218", "Restauração em resina fotopolimerizável – 3 faces", False, True, False, True),
    ("85100226", "Restauração em resina fotopolimerizável – 4 faces", False, True, False, True),
    # root canals, per tooth
    ("85200034", "Tratamento endodôntico unirradicular", True, True, False, False),
    ("85200026", "Tratamento endodôntico birradicular", True, True, False, False),
    ("85200042", "Tratamento endodôntico multirradicular", True, True, False, False),
    ("85200050", "Retratamento endodôntico unirradicular", True, True, False, False),
    ("85200131", "Pulpotomia", False, True, False, False),
    # periodontics, per sextant
    ("85300020", "Raspagem supragengival (por sextante)", False, False, True, False),
    ("85300039", "Raspagem subgengival e alisamento radicular (por sextante)",
     True, False, True, False),
    # extractions
    ("82000174", "Exodontia simples de permanente", False, True, False, False),
    ("82000182", "Exodontia de raiz residual", False, True, False, False),
    ("83000089", "Exodontia simples de decíduo", False, True, False, False),
    ("82000417", "Exodontia de permanente incluso ou impactado", True, True, False, False),
    # prostheses
    ("85400149", "Coroa provisória sem pino", False, True, False, False),
    ("85400211", "Coroa total metalocerâmica", True, True, False, False),
    ("85400475", "Prótese total (por arcada)", True, False, True, False),
    ("85400556", "Prótese parcial removível com grampos (por arcada)", True, False, True, False),
    # orthodontics, per arch
    ("87000016", "Aparelho ortodôntico fixo metálico (por arcada)", True, False, True, False),
    ("87000032", "Manutenção de aparelho ortodôntico (por arcada)", False, False, True, False),
    ("87000121", "Aparelho ortodôntico removível (por arcada)", True, False, True, False),
)
