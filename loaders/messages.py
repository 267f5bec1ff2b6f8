"""The loaders' own problem sentences (issue 17), in English, French and Spanish.

A loader names a sentence by its key and gives its parameters (cell values, column and file
names, lists of allowed values); `say` fills the same parameters into every language, so the
values reach the reader exactly as typed. The English text is the `Problem.message` and must
stay as it was: tests and users match on it. The other languages ride along as
`Problem.translations`, which the command line and the load page already show.

Parameters are named `{name}` (or `{name!r}` for a quoted value) in `str.format` syntax, and
every language of a key uses the same ones (tests/loaders/test_loader_messages.py checks it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sic.errors import Location, Problem

LANGUAGES = ("en", "fr", "es")

_HINT = {
    "en": " (did you mean {suggestion!r}?)",
    "fr": " (vouliez-vous dire {suggestion!r} ?)",
    "es": " (¿quería decir {suggestion!r}?)",
}


def _with_hint(sentences: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    """The sentences with the did-you-mean phrase put in before `after` (or at the end)."""
    out = {}
    for lang, text in sentences.items():
        cut = text.find(after[lang]) if after[lang] else len(text)
        out[lang] = text[:cut] + _HINT[lang] + text[cut:]
    return out


MESSAGES: dict[str, dict[str, str]] = {
    # cell values (loaders/cells.py)
    "cell.date": {
        "en": "bad date {text!r}: expected an ISO date (YYYY-MM-DD)",
        "fr": "date invalide {text!r} : une date ISO (AAAA-MM-JJ) est attendue",
        "es": "fecha no válida {text!r}: se espera una fecha ISO (AAAA-MM-DD)",
    },
    "cell.date_month": {
        "en": "bad date {text!r}: month must be in 1..12",
        "fr": "date invalide {text!r} : le mois doit être entre 1 et 12",
        "es": "fecha no válida {text!r}: el mes debe estar entre 1 y 12",
    },
    "cell.date_day": {
        "en": "bad date {text!r}: day is out of range for month",
        "fr": "date invalide {text!r} : ce jour n'existe pas dans ce mois",
        "es": "fecha no válida {text!r}: ese día no existe en ese mes",
    },
    "cell.date_year": {
        "en": "bad date {text!r}: year 0 is out of range",
        "fr": "date invalide {text!r} : l'année 0 n'existe pas",
        "es": "fecha no válida {text!r}: el año 0 no existe",
    },
    "cell.date_reason": {
        "en": "bad date {text!r}: {reason}",
        "fr": "date invalide {text!r} : {reason}",
        "es": "fecha no válida {text!r}: {reason}",
    },
    "cell.number": {
        "en": "bad number {text!r}: expected a decimal number with a '.' and no thousands "
        "separators, such as 1500000 or 2500.50",
        "fr": "nombre invalide {text!r} : un nombre décimal avec un '.' et sans séparateur de "
        "milliers est attendu, par exemple 1500000 ou 2500.50",
        "es": "número no válido {text!r}: se espera un número decimal con un '.' y sin "
        "separadores de miles, por ejemplo 1500000 o 2500.50",
    },
    "cell.number_plain": {
        "en": "bad number {text!r}",
        "fr": "nombre invalide {text!r}",
        "es": "número no válido {text!r}",
    },
    "cell.country": {
        "en": "bad country code {text!r}: expected an ISO 3166-1 alpha-2 code such as FR or SN",
        "fr": "code de pays invalide {text!r} : un code ISO 3166-1 alpha-2 est attendu, "
        "par exemple FR ou SN",
        "es": "código de país no válido {text!r}: se espera un código ISO 3166-1 alfa-2, "
        "por ejemplo FR o SN",
    },
    "cell.currency": {
        "en": "bad currency {text!r}: expected a three-letter ISO 4217 code such as EUR",
        "fr": "devise invalide {text!r} : un code ISO 4217 de trois lettres est attendu, "
        "par exemple EUR",
        "es": "moneda no válida {text!r}: se espera un código ISO 4217 de tres letras, "
        "por ejemplo EUR",
    },
    "cell.region": {
        "en": "bad region code {text!r}: expected a UN M49 code such as 002 or 150",
        "fr": "code de région invalide {text!r} : un code M49 de l'ONU est attendu, "
        "par exemple 002 ou 150",
        "es": "código de región no válido {text!r}: se espera un código M49 de la ONU, "
        "por ejemplo 002 o 150",
    },
    "cell.sdg": {
        "en": "bad SDG {text!r}: expected a goal number 1 to 17 or a target such as 15.3",
        "fr": "ODD invalide {text!r} : un numéro d'objectif de 1 à 17 ou une cible comme 15.3 "
        "est attendu",
        "es": "ODS no válido {text!r}: se espera un número de objetivo de 1 a 17 o una meta "
        "como 15.3",
    },
    "cell.agrovoc": {
        "en": "bad AGROVOC id {text!r}: expected an id such as c_389fe908",
        "fr": "identifiant AGROVOC invalide {text!r} : un identifiant comme c_389fe908 est attendu",
        "es": "identificador AGROVOC no válido {text!r}: se espera un identificador como "
        "c_389fe908",
    },
    "cell.wikidata": {
        "en": "bad Wikidata id {text!r}: expected an id such as Q82151",
        "fr": "identifiant Wikidata invalide {text!r} : un identifiant comme Q82151 est attendu",
        "es": "identificador Wikidata no válido {text!r}: se espera un identificador como Q82151",
    },
    "cell.ror": {
        "en": "bad ROR id {text!r}: expected an id such as 00pe0tf51",
        "fr": "identifiant ROR invalide {text!r} : un identifiant comme 00pe0tf51 est attendu",
        "es": "identificador ROR no válido {text!r}: se espera un identificador como 00pe0tf51",
    },
    "cell.web": {
        "en": "bad web address {text!r}: expected an address starting with https://",
        "fr": "adresse web invalide {text!r} : une adresse commençant par https:// est attendue",
        "es": "dirección web no válida {text!r}: se espera una dirección que empiece por https://",
    },
    "cell.language": {
        "en": "bad language {text!r}: expected a language tag such as en, fr or es",
        "fr": "langue invalide {text!r} : une étiquette de langue comme en, fr ou es est attendue",
        "es": "idioma no válido {text!r}: se espera una etiqueta de idioma como en, fr o es",
    },
    # rows and references (loaders/builder.py)
    "row.key_separator": {
        "en": "bad {column} {key!r}: ';' separates values in a cell",
        "fr": "valeur invalide {key!r} dans la colonne '{column}' : ';' sépare les valeurs "
        "d'une cellule",
        "es": "valor no válido {key!r} en la columna '{column}': ';' separa los valores de una "
        "celda",
    },
    "row.key_duplicate": {
        "en": "duplicate {column} {key!r}: already used in row {row}",
        "fr": "valeur en double {key!r} dans la colonne '{column}' : déjà utilisée à la ligne "
        "{row}",
        "es": "valor duplicado {key!r} en la columna '{column}': ya usado en la fila {row}",
    },
    "row.required_value": {
        "en": "missing required value: expected {expects}",
        "fr": "valeur obligatoire manquante : attendu {expects}",
        "es": "falta un valor obligatorio: se espera {expects}",
    },
    "row.rule_value": {
        "en": "{said} (value: {value})",
        "fr": "{said} (valeur : {value})",
        "es": "{said} (valor: {value})",
    },
    "row.unknown_value": {
        "en": "unknown {noun} {text!r}; expected one of: {allowed}",
        "fr": "{noun} : valeur inconnue {text!r} ; valeurs possibles : {allowed}",
        "es": "{noun}: valor desconocido {text!r}; valores posibles: {allowed}",
    },
    "row.dangling": {
        "en": "{noun} {key!r} is not in {source}",
        "fr": "{noun} {key!r} ne figure pas dans {source}",
        "es": "{noun} {key!r} no está en {source}",
    },
    "row.dangling_no_source": {
        "en": "{noun} {key!r} is not in {source} (the workbook has no {source})",
        "fr": "{noun} {key!r} ne figure pas dans {source} (le classeur n'a pas de {source})",
        "es": "{noun} {key!r} no está en {source} (el libro no tiene {source})",
    },
    "row.unknown_topic": {
        "en": "topic {value!r} is not in {source} and is not an AGROVOC id such as c_389fe908",
        "fr": "le thème {value!r} ne figure pas dans {source} et n'est pas un identifiant "
        "AGROVOC comme c_389fe908",
        "es": "el tema {value!r} no está en {source} y no es un identificador AGROVOC como "
        "c_389fe908",
    },
    # the sheets' own rules (loaders/mapping.py)
    "row.agrovoc_ambiguous": {
        "en": "AGROVOC id {agrovoc!r} is already matched by the topic in row {row}; a reference "
        "to it would be ambiguous",
        "fr": "l'identifiant AGROVOC {agrovoc!r} correspond déjà au thème de la ligne {row} ; "
        "une référence à cet identifiant serait ambiguë",
        "es": "el identificador AGROVOC {agrovoc!r} ya corresponde al tema de la fila {row}; "
        "una referencia a él sería ambigua",
    },
    "row.duplicate_role": {
        "en": "duplicate task force role: {person!r} is already {role} of objective "
        "{objective!r} in row {row}",
        "fr": "rôle de groupe de travail en double : {person!r} est déjà {role} de l'objectif "
        "{objective!r} à la ligne {row}",
        "es": "rol de grupo de trabajo duplicado: {person!r} ya es {role} del objetivo "
        "{objective!r} en la fila {row}",
    },
    "row.representative_region": {
        "en": "missing required value: a regional representative needs a UN M49 region code",
        "fr": "valeur obligatoire manquante : un représentant régional a besoin d'un code de "
        "région M49 de l'ONU",
        "es": "falta un valor obligatorio: un representante regional necesita un código de "
        "región M49 de la ONU",
    },
    "row.lead_not_member": {
        "en": "lead {lead!r} is not among the members ({members}); list the lead in members too",
        "fr": "le chef de file {lead!r} ne figure pas parmi les membres ({members}) ; "
        "ajoutez-le aussi dans la colonne 'members'",
        "es": "el líder {lead!r} no está entre los miembros ({members}); inclúyalo también "
        "en la columna 'members'",
    },
    "row.lead_no_members": {
        "en": "lead {lead!r} is not among the members (none); list the lead in members too",
        "fr": "le chef de file {lead!r} ne figure pas parmi les membres (aucun) ; "
        "ajoutez-le aussi dans la colonne 'members'",
        "es": "el líder {lead!r} no está entre los miembros (ninguno); inclúyalo también "
        "en la columna 'members'",
    },
    "row.baseline_date": {
        "en": "missing value: a baseline needs its date, expected an ISO date (YYYY-MM-DD)",
        "fr": "valeur manquante : une valeur de référence a besoin de sa date, une date ISO "
        "(AAAA-MM-JJ) est attendue",
        "es": "falta un valor: un valor de referencia necesita su fecha, se espera una fecha "
        "ISO (AAAA-MM-DD)",
    },
    "row.duplicate_observation": {
        "en": "duplicate observation: indicator {indicator!r} already has a value on {day} in "
        "row {row}",
        "fr": "observation en double : l'indicateur {indicator!r} a déjà une valeur le {day} "
        "à la ligne {row}",
        "es": "observación duplicada: el indicador {indicator!r} ya tiene un valor el {day} "
        "en la fila {row}",
    },
    # files, sheets and columns (loaders/workbook.py)
    "book.missing_file": {
        "en": "missing required file: the workbook needs it, with columns {columns}",
        "fr": "fichier obligatoire manquant : le classeur en a besoin, avec les colonnes {columns}",
        "es": "falta un archivo obligatorio: el libro lo necesita, con las columnas {columns}",
    },
    "book.missing_sheet": {
        "en": "missing required sheet: the workbook needs it, with columns {columns}",
        "fr": "feuille obligatoire manquante : le classeur en a besoin, avec les colonnes "
        "{columns}",
        "es": "falta una hoja obligatoria: el libro la necesita, con las columnas {columns}",
    },
    "book.unknown_file": {
        "en": "unknown file: not part of the workbook format, ignored",
        "fr": "fichier inconnu : il ne fait pas partie du format du classeur, ignoré",
        "es": "archivo desconocido: no forma parte del formato del libro, se ignora",
    },
    "book.unknown_sheet": {
        "en": "unknown sheet: not part of the workbook format, ignored",
        "fr": "feuille inconnue : elle ne fait pas partie du format du classeur, ignorée",
        "es": "hoja desconocida: no forma parte del formato del libro, se ignora",
    },
    "book.missing_column": {
        "en": "missing required column: expected {expects}",
        "fr": "colonne obligatoire manquante : attendu {expects}",
        "es": "falta una columna obligatoria: se espera {expects}",
    },
    "book.unknown_column": {
        "en": "unknown column, its values are ignored; known columns: {known}",
        "fr": "colonne inconnue, ses valeurs sont ignorées ; colonnes connues : {known}",
        "es": "columna desconocida, sus valores se ignoran; columnas conocidas: {known}",
    },
    "about.missing_column": {
        "en": "missing required column: about has two columns, key and value",
        "fr": "colonne obligatoire manquante : la feuille about a deux colonnes, 'key' et 'value'",
        "es": "falta una columna obligatoria: la hoja about tiene dos columnas, 'key' y 'value'",
    },
    "about.missing_key": {
        "en": "missing required value: expected a key",
        "fr": "valeur obligatoire manquante : une clé est attendue",
        "es": "falta un valor obligatorio: se espera una clave",
    },
    "about.duplicate_key": {
        "en": "duplicate key {key!r}: already in row {row}",
        "fr": "clé en double {key!r} : déjà à la ligne {row}",
        "es": "clave duplicada {key!r}: ya está en la fila {row}",
    },
    "about.unknown_key": {
        "en": "unknown key {key!r}, ignored; known keys: {known}",
        "fr": "clé inconnue {key!r}, ignorée ; clés connues : {known}",
        "es": "clave desconocida {key!r}, se ignora; claves conocidas: {known}",
    },
    "about.unknown_column": {
        "en": "unknown column, ignored; about has two columns, key and value",
        "fr": "colonne inconnue, ignorée ; la feuille about a deux colonnes, 'key' et 'value'",
        "es": "columna desconocida, se ignora; la hoja about tiene dos columnas, 'key' y 'value'",
    },
    # reading the files (loaders/table.py, loaders/source.py)
    "file.not_workbook": {
        "en": "not a workbook: expected a folder of CSV files or an .xlsx file",
        "fr": "ce n'est pas un classeur : un dossier de fichiers CSV ou un fichier .xlsx est "
        "attendu",
        "es": "no es un libro: se espera una carpeta de archivos CSV o un archivo .xlsx",
    },
    "file.no_such_path": {
        "en": "no such file or folder",
        "fr": "fichier ou dossier introuvable",
        "es": "no existe ese archivo o carpeta",
    },
    "file.not_utf8": {
        "en": "not UTF-8: byte 0x{byte} at byte offset {offset} (line {line}) cannot be "
        "decoded; save the file as CSV UTF-8",
        "fr": "pas en UTF-8 : l'octet 0x{byte} à la position {offset} (ligne {line}) ne peut "
        "pas être décodé ; enregistrez le fichier au format CSV UTF-8",
        "es": "no está en UTF-8: el byte 0x{byte} en la posición {offset} (línea {line}) no "
        "se puede decodificar; guarde el archivo como CSV UTF-8",
    },
    "file.malformed_csv": {
        "en": "malformed CSV near line {line}: {error}",
        "fr": "CSV mal formé vers la ligne {line} : {error}",
        "es": "CSV mal formado cerca de la línea {line}: {error}",
    },
    "file.empty": {
        "en": "empty file: expected a header row naming the columns",
        "fr": "fichier vide : une ligne d'en-tête nommant les colonnes est attendue",
        "es": "archivo vacío: se espera una fila de encabezado que nombre las columnas",
    },
    "file.duplicate_column": {
        "en": "duplicate column: also column {position} of the header",
        "fr": "colonne en double : c'est aussi la colonne {position} de l'en-tête",
        "es": "columna duplicada: también es la columna {position} del encabezado",
    },
    "file.row_too_long": {
        "en": "row has {cells} cells but the header names only {width} columns",
        "fr": "la ligne a {cells} cellules mais l'en-tête ne nomme que {width} colonnes",
        "es": "la fila tiene {cells} celdas pero el encabezado solo nombra {width} columnas",
    },
    "file.unnamed_column": {
        "en": "column {position} has no header; its values are ignored",
        "fr": "la colonne {position} n'a pas d'en-tête ; ses valeurs sont ignorées",
        "es": "la columna {position} no tiene encabezado; sus valores se ignoran",
    },
    "file.unreadable_xlsx": {
        "en": "unreadable .xlsx file: {reason}",
        "fr": "fichier .xlsx illisible : {reason}",
        "es": "archivo .xlsx ilegible: {reason}",
    },
    # a workbook sent as a zip (loaders/archive.py)
    "archive.not_zip": {
        "en": "not a zip archive: {error}",
        "fr": "ce n'est pas une archive zip : {error}",
        "es": "no es un archivo zip: {error}",
    },
    "archive.too_many": {
        "en": "the archive lists {count} entries; at most {limit}",
        "fr": "l'archive compte {count} entrées ; {limit} au plus",
        "es": "el archivo contiene {count} entradas; como máximo {limit}",
    },
    "archive.too_large": {
        "en": "the archive unpacks to more than {mb} MB ({setting})",
        "fr": "l'archive dépasse {mb} Mo une fois décompressée ({setting})",
        "es": "el archivo ocupa más de {mb} MB al descomprimirlo ({setting})",
    },
    "archive.csv_too_large": {
        "en": "the CSV files unpack to more than {mb} MB ({setting})",
        "fr": "les fichiers CSV dépassent {mb} Mo une fois décompressés ({setting})",
        "es": "los archivos CSV ocupan más de {mb} MB al descomprimirlos ({setting})",
    },
    "archive.outside": {
        "en": "a member names a path outside the archive",
        "fr": "un élément désigne un chemin hors de l'archive",
        "es": "un elemento indica una ruta fuera del archivo",
    },
    "archive.link": {
        "en": "a link, not a file",
        "fr": "un lien, pas un fichier",
        "es": "un enlace, no un archivo",
    },
    "archive.encrypted": {
        "en": "encrypted; send the archive without a password",
        "fr": "chiffré ; envoyez l'archive sans mot de passe",
        "es": "cifrado; envíe el archivo sin contraseña",
    },
    "archive.second_file": {
        "en": "a second file named {name}",
        "fr": "un deuxième fichier nommé {name}",
        "es": "un segundo archivo llamado {name}",
    },
    "archive.folders": {
        "en": "the CSV files must be in one folder, not in {folders}",
        "fr": "les fichiers CSV doivent être dans un seul dossier, pas dans {folders}",
        "es": "los archivos CSV deben estar en una sola carpeta, no en {folders}",
    },
    "archive.no_csv": {
        "en": "no CSV file in the archive",
        "fr": "aucun fichier CSV dans l'archive",
        "es": "ningún archivo CSV en el archivo comprimido",
    },
    "archive.cannot_unpack": {
        "en": "cannot unpack: {error}",
        "fr": "impossible de décompresser : {error}",
        "es": "no se puede descomprimir: {error}",
    },
    # IATI activity files (loaders/iati.py)
    "iati.activity": {
        "en": "activity {identifier!r}: {said}",
        "fr": "activité {identifier!r} : {said}",
        "es": "actividad {identifier!r}: {said}",
    },
    "iati.not_iati": {
        "en": "not an IATI activity file: the root element is <{tag}>, expected <{root}>",
        "fr": "ce n'est pas un fichier d'activités IATI : l'élément racine est <{tag}>, <{root}> "
        "est attendu",
        "es": "no es un archivo de actividades IATI: el elemento raíz es <{tag}>, se espera "
        "<{root}>",
    },
    "iati.no_identifier": {
        "en": "an iati-activity without an iati-identifier: every activity needs one",
        "fr": "une iati-activity sans iati-identifier : chaque activité en a besoin",
        "es": "una iati-activity sin iati-identifier: cada actividad lo necesita",
    },
    "iati.repeats": {
        "en": "repeats the activity of line {line}",
        "fr": "répète l'activité de la ligne {line}",
        "es": "repite la actividad de la línea {line}",
    },
    "iati.missing_element": {
        "en": "has no {tag}: every activity needs one",
        "fr": "n'a pas de {tag} : chaque activité en a besoin",
        "es": "no tiene {tag}: cada actividad lo necesita",
    },
    "iati.unknown_status": {
        "en": "unknown activity-status {value!r}: expected an IATI activity status: one of the "
        "codes {known} or their IATI names",
        "fr": "activity-status inconnu {value!r} : un statut d'activité IATI est attendu, l'un "
        "des codes {known} ou leur nom IATI",
        "es": "activity-status desconocido {value!r}: se espera un estado de actividad IATI, uno "
        "de los códigos {known} o su nombre IATI",
    },
    "iati.unknown_date_type": {
        "en": "unknown activity-date type {value!r}: expected an IATI activity date type: one of "
        "the codes {known} or their IATI names",
        "fr": "type d'activity-date inconnu {value!r} : un type de date d'activité IATI est "
        "attendu, l'un des codes {known} ou leur nom IATI",
        "es": "tipo de activity-date desconocido {value!r}: se espera un tipo de fecha de "
        "actividad IATI, uno de los códigos {known} o su nombre IATI",
    },
    "iati.bad_date": {
        "en": "{attribute} {value!r} is not an ISO date such as 2024-01-31",
        "fr": "{attribute} {value!r} n'est pas une date ISO comme 2024-01-31",
        "es": "{attribute} {value!r} no es una fecha ISO como 2024-01-31",
    },
    "iati.bad_country": {
        "en": "recipient-country {code!r} is not a two-letter ISO 3166-1 code",
        "fr": "recipient-country {code!r} n'est pas un code ISO 3166-1 de deux lettres",
        "es": "recipient-country {code!r} no es un código ISO 3166-1 de dos letras",
    },
    "iati.unknown_vocabulary": {
        "en": "unknown sector vocabulary {value!r}: expected an IATI SectorVocabulary code",
        "fr": "vocabulaire de secteur inconnu {value!r} : un code IATI SectorVocabulary est "
        "attendu",
        "es": "vocabulario de sector desconocido {value!r}: se espera un código IATI "
        "SectorVocabulary",
    },
    "iati.unknown_dac": {
        "en": "unknown DAC sector code {code!r}: expected five digits (such as 31130) or three "
        "(such as 311)",
        "fr": "code de secteur CAD inconnu {code!r} : cinq chiffres (comme 31130) ou trois (comme "
        "311) sont attendus",
        "es": "código de sector CAD desconocido {code!r}: se esperan cinco dígitos (como 31130) o "
        "tres (como 311)",
    },
    "iati.unknown_org_type": {
        "en": "unknown organisation type {value!r}: expected an IATI organisation type: one of "
        "the codes {known} or their IATI names",
        "fr": "type d'organisation inconnu {value!r} : un type d'organisation IATI est attendu, "
        "l'un des codes {known} ou leur nom IATI",
        "es": "tipo de organización desconocido {value!r}: se espera un tipo de organización "
        "IATI, uno de los códigos {known} o su nombre IATI",
    },
    "iati.unknown_role": {
        "en": "unknown participating-org role {value!r}: expected an IATI organisation role: one "
        "of the codes {known} or their IATI names",
        "fr": "rôle de participating-org inconnu {value!r} : un rôle d'organisation IATI est "
        "attendu, l'un des codes {known} ou leur nom IATI",
        "es": "rol de participating-org desconocido {value!r}: se espera un rol de organización "
        "IATI, uno de los códigos {known} o su nombre IATI",
    },
    "iati.not_number": {
        "en": "the value {value!r} is not a number",
        "fr": "la valeur {value!r} n'est pas un nombre",
        "es": "el valor {value!r} no es un número",
    },
    "iati.no_currency": {
        "en": "a value without a currency, and the activity has no default-currency",
        "fr": "une valeur sans devise, et l'activité n'a pas de default-currency",
        "es": "un valor sin moneda, y la actividad no tiene default-currency",
    },
    "iati.unknown_budget_type": {
        "en": "unknown budget type {value!r}: expected an IATI budget type: one of the codes "
        "{known} or their IATI names",
        "fr": "type de budget inconnu {value!r} : un type de budget IATI est attendu, l'un des "
        "codes {known} ou leur nom IATI",
        "es": "tipo de presupuesto desconocido {value!r}: se espera un tipo de presupuesto IATI, "
        "uno de los códigos {known} o su nombre IATI",
    },
    "iati.no_budget_value": {
        "en": "a budget without a value",
        "fr": "un budget sans valeur",
        "es": "un presupuesto sin valor",
    },
    "iati.unknown_transaction_type": {
        "en": "unknown transaction-type {value!r}: expected an IATI transaction type: one of the "
        "codes {known} or their IATI names",
        "fr": "transaction-type inconnu {value!r} : un type de transaction IATI est attendu, l'un "
        "des codes {known} ou leur nom IATI",
        "es": "transaction-type desconocido {value!r}: se espera un tipo de transacción IATI, uno "
        "de los códigos {known} o su nombre IATI",
    },
    "iati.no_transaction_value": {
        "en": "a transaction without a value",
        "fr": "une transaction sans valeur",
        "es": "una transacción sin valor",
    },
    # RDF and XML files (loaders/rdf.py, loaders/xml_tree.py); a parser's own message is its own
    "rdf.unknown_format": {
        "en": "unknown RDF format ({extension!r}): expected a file name ending in one of "
        "{known}, optionally followed by {gzip}",
        "fr": "format RDF inconnu ({extension!r}) : un nom de fichier finissant par l'une de "
        "{known} est attendu, suivie éventuellement de {gzip}",
        "es": "formato RDF desconocido ({extension!r}): se espera un nombre de archivo que "
        "termine en una de {known}, seguida opcionalmente de {gzip}",
    },
    "rdf.unknown_format_none": {
        "en": "unknown RDF format (no extension): expected a file name ending in one of "
        "{known}, optionally followed by {gzip}",
        "fr": "format RDF inconnu (sans extension) : un nom de fichier finissant par l'une de "
        "{known} est attendu, suivie éventuellement de {gzip}",
        "es": "formato RDF desconocido (sin extensión): se espera un nombre de archivo que "
        "termine en una de {known}, seguida opcionalmente de {gzip}",
    },
    "rdf.no_such_file": {
        "en": "no such file",
        "fr": "fichier introuvable",
        "es": "no existe ese archivo",
    },
    "rdf.cannot_read": {
        "en": "cannot read: {error}",
        "fr": "lecture impossible : {error}",
        "es": "no se puede leer: {error}",
    },
    "rdf.no_xml_element": {
        "en": "no XML element in the file",
        "fr": "aucun élément XML dans le fichier",
        "es": "ningún elemento XML en el archivo",
    },
}

_EN_COLON = {"en": ":", "fr": " :", "es": ":"}
_EN_SEMI = {"en": ";", "fr": " ;", "es": ";"}
_EN_COMMA = {"en": ",", "fr": ",", "es": ","}

# the same sentences with a did-you-mean suggestion, put where the English has always put it
MESSAGES.update(
    {
        "row.unknown_value_hint": _with_hint(MESSAGES["row.unknown_value"], _EN_SEMI),
        "row.dangling_hint": _with_hint(MESSAGES["row.dangling"], {k: "" for k in LANGUAGES}),
        "row.unknown_topic_hint": _with_hint(
            MESSAGES["row.unknown_topic"], {k: "" for k in LANGUAGES}
        ),
        "book.unknown_file_hint": _with_hint(MESSAGES["book.unknown_file"], _EN_COLON),
        "book.unknown_sheet_hint": _with_hint(MESSAGES["book.unknown_sheet"], _EN_COLON),
        "book.missing_column_hint": _with_hint(MESSAGES["book.missing_column"], _EN_COLON),
        "book.unknown_column_hint": _with_hint(MESSAGES["book.unknown_column"], _EN_COMMA),
    }
)


NOUNS: dict[str, dict[str, str]] = {
    "goal": {"fr": "but", "es": "meta"},
    "objective": {"fr": "objectif", "es": "objetivo"},
    "category": {"fr": "catégorie", "es": "categoría"},
    "activity": {"fr": "activité", "es": "actividad"},
    "topic": {"fr": "thème", "es": "tema"},
    "organisation": {"fr": "organisation", "es": "organización"},
    "person": {"fr": "personne", "es": "persona"},
    "alliance": {"fr": "alliance", "es": "alianza"},
    "call": {"fr": "appel", "es": "convocatoria"},
    "funding": {"fr": "financement", "es": "financiación"},
    "indicator": {"fr": "indicateur", "es": "indicador"},
    "observation": {"fr": "observation", "es": "observación"},
    "project": {"fr": "projet", "es": "proyecto"},
    "task force role": {"fr": "rôle de Task Force", "es": "rol de Task Force"},
    "Delphi response": {"fr": "réponse Delphi", "es": "respuesta Delphi"},
    "facility": {"fr": "type de dispositif", "es": "tipo de mecanismo"},
    "organisation type": {"fr": "type d'organisation", "es": "tipo de organización"},
    "membership status": {"fr": "statut d'adhésion", "es": "estado de adhesión"},
    "stage": {"fr": "étape", "es": "etapa"},
    "funding status": {"fr": "statut du financement", "es": "estado de la financiación"},
    "Delphi phase": {"fr": "phase Delphi", "es": "fase Delphi"},
    "Delphi question": {"fr": "question Delphi", "es": "pregunta Delphi"},
}
"""The words the loaders pass as `noun` (a sheet's entity, a controlled list), in the other
languages: put into a French or Spanish sentence as they are, they left English words inside
it ("facility inconnu"). A noun not listed here is a code (an IATI element name) and stays."""


def _in(lang: str, params: dict[str, object]) -> dict[str, object]:
    noun = params.get("noun")
    if lang == "en" or not isinstance(noun, str) or noun not in NOUNS:
        return params
    return {**params, "noun": NOUNS[noun].get(lang, noun)}


def say(key: str, /, **params: object) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The English sentence of `key` and its (lang, text) translations, sorted by language.

    >>> say("cell.currency", text="eu")[1][0]
    ('es', "moneda no válida 'eu': se espera un código ISO 4217 de tres letras, por ejemplo EUR")
    >>> say("row.dangling", noun="objective", key="X9", source="objectives.csv")[1][1]
    ('fr', "objectif 'X9' ne figure pas dans objectives.csv")
    """
    sentences = MESSAGES[key]
    english = sentences["en"].format(**params)
    others = tuple(
        sorted(
            (lang, text.format(**_in(lang, params)))
            for lang, text in sentences.items()
            if lang != "en"
        )
    )
    return english, others


def with_value(
    message: str, translations: Sequence[tuple[str, str]], value: str
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A rule's sentence and its translations, each followed by the value it found, said in
    that sentence's language ("(valeur : -100000)")."""
    sentences = MESSAGES["row.rule_value"]
    return sentences["en"].format(said=message, value=value), tuple(
        (tag, sentences.get(tag, sentences["en"]).format(said=text, value=value))
        for tag, text in translations
    )


def say_within(
    frame: str, key: str, /, framing: Mapping[str, object], **params: object
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """`key` said inside the sentence `frame` (its `{said}`), each language inside its own:
    "activity 'X': has no title" and "activité 'X' : n'a pas de title"."""
    english, others = say(key, **params)
    inner = {"en": english, **dict(others)}
    texts = {
        lang: text.format(said=inner[lang], **framing) for lang, text in MESSAGES[frame].items()
    }
    return texts["en"], tuple(sorted((lang, t) for lang, t in texts.items() if lang != "en"))


def problem(where: Location, key: str, /, severity: str = "error", **params: object) -> Problem:
    """A Problem at `where` saying `key` with `params`, in English and its translations."""
    english, others = say(key, **params)
    return Problem(where, english, severity=severity, translations=others)
