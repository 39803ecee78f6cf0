"""Demand types, the procedure catalogue and what an item of a request must say (001, 003).

Teeth are in FDI notation (two digits: quadrant, then position from the midline); faces are the
tooth's surfaces; regions are arches, hemi-arches and sextants. A procedure says which of them an
item needs; an item may give only what its procedure uses (a tooth on a consultation is a mistake
the desk would send back).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

UPPER_QUADRANTS = (1, 2, 5, 6)
FRONT_POSITIONS = (1, 2, 3)

DEMAND_TYPES: tuple[dict[str, str], ...] = (
    {"group": "rede_credenciada_movimentacoes", "group_label": "Rede credenciada – movimentações",
     "type": "odontologia_solic_proced_ambulatoriais",
     "label": "Odontologia – solicitação de procedimentos ambulatoriais"},
    {"group": "rede_credenciada_movimentacoes", "group_label": "Rede credenciada – movimentações",
     "type": "odontologia_plano_de_tratamento",
     "label": "Odontologia – plano de tratamento"},
    {"group": "rede_credenciada_movimentacoes", "group_label": "Rede credenciada – movimentações",
     "type": "odontologia_prorrogacao_tratamento",
     "label": "Odontologia – prorrogação de tratamento"},
    {"group": "medico_hospitalar", "group_label": "Médico-hospitalar",
     "type": "sadt_exames_terapias", "label": "SP/SADT – exames e terapias"},
    {"group": "medico_hospitalar", "group_label": "Médico-hospitalar",
     "type": "internacao", "label": "Internação"},
)
DEMAND_GROUPS = tuple(dict.fromkeys(d["group"] for d in DEMAND_TYPES))


def demand_type_errors(group: str, demand_type: str) -> dict[str, list[str]]:
    """The group must exist and the type must belong to it."""
    if group not in DEMAND_GROUPS:
        return {"demand_group": ["Unknown demand group; see GET /api/v1/demand-types."]}
    if not any(d["group"] == group and d["type"] == demand_type for d in DEMAND_TYPES):
        return {"demand_type": ["Not a demand type of this group; see GET "
                                "/api/v1/demand-types."]}
    return {}


def search_key(text: str) -> str:
    """Lower case without accents, so "restauracao" finds "Restauração"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class Procedure:
    code: str
    name: str
    requires_review: bool = False
    requires_tooth: bool = False
    requires_region: bool = False
    requires_faces: bool = False

    def item_errors(self, item: dict[str, Any], prefix: str) -> dict[str, list[str]]:
        """What is wrong with an item of this procedure (paths like ``items.0.tooth``).

        A procedure per tooth needs the tooth; per face also the faces (a restoration on the
        occlusal and mesial faces is "OM"); per arch or sextant the region (001: "região(ões),
        dente(s) e face(s), quando necessário(s)")."""
        errors: dict[str, list[str]] = {}
        tooth, region, faces = item.get("tooth"), item.get("region"), item.get("faces") or []
        for name, needed, given in (("tooth", self.requires_tooth, tooth is not None),
                                    ("region", self.requires_region, region is not None),
                                    ("faces", self.requires_faces, bool(faces))):
            if needed and not given:
                errors[f"{prefix}.{name}"] = [f"Procedure {self.code} needs the {name}."]
            elif given and not needed:
                errors[f"{prefix}.{name}"] = [f"Procedure {self.code} does not take a {name}."]
        if tooth is not None and faces and f"{prefix}.faces" not in errors:
            wrong = [face for face in faces if not face_fits_tooth(face, tooth)]
            if wrong:
                errors[f"{prefix}.faces"] = [f"Tooth {tooth} has no face {', '.join(wrong)}."]
        return errors


def face_fits_tooth(face: str, tooth: int) -> bool:
    """Palatal faces are on upper teeth, lingual on lower; incisal edges on incisors and
    canines, occlusal surfaces on premolars and molars."""
    quadrant, position = divmod(tooth, 10)
    upper, front = quadrant in UPPER_QUADRANTS, position in FRONT_POSITIONS
    return {"P": upper, "L": not upper, "I": front, "O": not front}.get(face, True)
