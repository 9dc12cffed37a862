"""Entry templates (``observatoire modeles``): one ``.xlsx`` per source, from its spec and the reference.

Sheet ``Saisie``: the canonical headers of the spec (its ``libelle``s), frozen, with column
widths; a drop-down list for a structure (the first alias of each structure of the source in
warehouse/ref/structures_alias.csv), a commune (the communes of the territory, then the first
label of communes_hors_territoire.csv, "Autre commune", read as HORS_CC), a category of the spec
(its first label per code) and the columns listed in ``REF_LISTS``; date, time and number
validation with French input and error messages. Sheet ``Listes du modèle`` holds the lists
(hidden); sheet ``Mode d'emploi du modèle`` the instructions. The reader does not read these two
sheets (sources/reading.py, ``TEMPLATE_SHEETS``). Regenerated from the reference each time: a
new structure appears in the lists.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sources.spec import ColumnSpec, SourceSpec, load_spec, spec_names
from sources.referential import outside_labels
from warehouse import settings
from warehouse.reference import read_ref

ENTRY_SHEET, LISTS_SHEET, HELP_SHEET = "Saisie", "Listes du modèle", "Mode d'emploi du modèle"
LAST_ROW = 2000
SERVICE_OF = {"pocketo": "alsh", "france_services": "france_services", "aide_alimentaire": "aide_alimentaire"}
# Free-text columns offered a list of the reference: column -> (ref table, label column, code column).
REF_LISTS = {"orientation": ("aide_alimentaire_orientations_alias", "alias", "orientation")}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NUMBER_KINDS = {"entier": "whole", "nombre": "decimal"}
HINTS = {
    "date": "une date au format jj/mm/aaaa",
    "heure": "une heure au format hh:mm",
    "entier": "un nombre entier",
    "nombre": "un nombre (virgule pour les décimales)",
    "structure": "la structure, choisie dans la liste",
    "commune": "la commune de résidence, choisie dans la liste (« Autre commune » hors du territoire)",
    "identifiant": "le numéro, tel qu'il est dans votre registre",
}


def first_per_code(pairs: list[tuple[str, str]]) -> list[str]:
    """The first label of each code, in order."""
    seen: dict[str, str] = {}
    for label, code in pairs:
        seen.setdefault(code, label)
    return list(seen.values())


def structures(source: str) -> list[str]:
    """Each structure of the source's service: its first alias for the source, else its name."""
    service = SERVICE_OF.get(source)
    aliases = [(r["alias"], r["structure_id"]) for r in read_ref("structures_alias") if r["source"] == source]
    names = [(r["libelle"], r["structure_id"]) for r in read_ref("structures") if r["service"] == service]
    ids = {code for _, code in names}
    return first_per_code([(label, code) for label, code in aliases + names if code in ids])


def communes() -> list[str]:
    """The member communes, then the first label of communes_hors_territoire.csv ("Autre commune")."""
    members = sorted(r["nom"] for r in read_ref("communes") if r["membre_cc"].lower() == "true")
    return members + outside_labels(settings.ref_dir())[:1]


def choices(spec: SourceSpec, column: ColumnSpec) -> list[str] | None:
    """The drop-down list of a column, or None."""
    if column.kind == "structure":
        return structures(spec.name)
    if column.kind == "commune":
        return communes()
    if column.kind in spec.categories:
        return first_per_code(list(spec.categories[column.kind].items()))
    if column.name in REF_LISTS:
        table, label, code = REF_LISTS[column.name]
        return first_per_code([(r[label], r[code]) for r in read_ref(table)])
    return None


def hint(spec: SourceSpec, column: ColumnSpec) -> str:
    text = HINTS.get(column.kind) or ("une valeur de la liste" if choices(spec, column) else "du texte")
    return text + (" (obligatoire)" if column.required else " (facultatif)")


def validation(column: ColumnSpec, values_range: str | None) -> DataValidation | None:
    if values_range:
        rule = DataValidation(type="list", formula1=values_range, allow_blank=not column.required)
        rule.error = "Choisissez une valeur de la liste déroulante."
    elif column.kind == "date":
        rule = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                              formula2="DATE(2100,12,31)", allow_blank=not column.required)
        rule.error = "Écrivez une date au format jj/mm/aaaa (par exemple 05/03/2024)."
    elif column.kind == "heure":
        rule = DataValidation(type="time", operator="between", formula1="0", formula2="0.999999")
        rule.error = "Écrivez une heure au format hh:mm (par exemple 08:30)."
    elif column.kind in NUMBER_KINDS:
        rule = DataValidation(type=NUMBER_KINDS[column.kind], operator="greaterThanOrEqual", formula1="0",
                              allow_blank=not column.required)
        rule.error = "Écrivez un nombre positif ou nul, en chiffres seulement."
    else:
        return None
    rule.errorTitle = "Valeur refusée"
    rule.errorStyle = "stop"
    rule.promptTitle = column.label[:32]
    rule.showErrorMessage = rule.showInputMessage = True
    return rule


def _lists_sheet(workbook, spec: SourceSpec) -> dict[str, str]:
    """Write each list in a column of the hidden sheet; returns column name -> range formula."""
    sheet = workbook.create_sheet(LISTS_SHEET)
    ranges = {}
    index = 0
    for column in spec.columns.values():
        values = choices(spec, column)
        if not values:
            continue
        index += 1
        letter = get_column_letter(index)
        sheet.cell(1, index, column.label)
        for row, value in enumerate(values, start=2):
            sheet.cell(row, index, value)
        ranges[column.name] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    sheet.sheet_state = "hidden"
    return ranges


def _entry_sheet(sheet, spec: SourceSpec, ranges: dict[str, str]) -> None:
    sheet.title = ENTRY_SHEET
    for index, column in enumerate(spec.columns.values(), start=1):
        cell = sheet.cell(1, index, column.label)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.label) + 4,
                                                    *(len(v) + 2 for v in choices(spec, column) or []))
        area = f"{letter}2:{letter}{LAST_ROW}"
        if column.kind == "date":
            for row in range(2, LAST_ROW + 1):
                sheet.cell(row, index).number_format = "DD/MM/YYYY"
        elif column.kind == "heure":
            for row in range(2, LAST_ROW + 1):
                sheet.cell(row, index).number_format = "HH:MM"
        rule = validation(column, ranges.get(column.name))
        if rule is not None:
            rule.prompt = f"Saisir {hint(spec, column)}."[:255]
            sheet.add_data_validation(rule)
            rule.add(area)
    sheet.freeze_panes = "A2"


def _help_sheet(workbook, spec: SourceSpec) -> None:
    sheet = workbook.create_sheet(HELP_SHEET)
    lines = [
        [f"Modèle de saisie : {spec.name} (dossier de dépôt {spec.folder}/)"],
        ["Une ligne par enregistrement dans la feuille « Saisie », à partir de la ligne 2 ; ne modifiez "
         "pas la ligne d'en-tête. Les listes déroulantes donnent les valeurs acceptées ; une valeur hors "
         "liste, une date ou un nombre illisible met la ligne de côté (classeur de retours)."],
        ["Enregistrez le fichier en .xlsx, puis envoyez-le à l'observatoire (ou déposez-le dans le dossier "
         f"{spec.folder}/)."],
        [],
        ["Colonne", "À saisir"],
    ]
    lines += [[column.label, hint(spec, column) + (" ; donnée personnelle, pseudonymisée à l'entrée de "
                                                   "l'entrepôt" if column.personal else "")]
              for column in spec.columns.values()]
    for line in lines:
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100


def write_template(spec: SourceSpec, folder: Path) -> Path:
    workbook = openpyxl.Workbook()
    ranges = _lists_sheet(workbook, spec)
    _entry_sheet(workbook.active, spec, ranges)
    _help_sheet(workbook, spec)
    path = folder / f"modele-{spec.name}.xlsx"
    folder.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_templates(folder: Path) -> list[Path]:
    return [write_template(load_spec(name), folder) for name in spec_names()]
