#!/bin/sh
# Translations: extract English msgids from the code, merge them into the catalogues, compile.
#   scripts/i18n.sh            extract + update + compile
#   scripts/i18n.sh compile    compile only (after editing a .po file)
# Then translate every new or fuzzy entry in coopsaas/translations/id/LC_MESSAGES/messages.po;
# tests/web/test_i18n.py fails while any msgid is missing or untranslated there.
set -eu
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
POT=coopsaas/translations/messages.pot
DIR=coopsaas/translations

if [ "${1:-}" != "compile" ]; then
    "$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext -k gettext -k ngettext:1,2 \
        --no-location --sort-output --project=CoopSaaS --version=0.1.0 -o "$POT" .
    for lang in id en; do
        if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
            "$PYBABEL" update -i "$POT" -d "$DIR" -l "$lang" --no-fuzzy-matching --ignore-obsolete
        else
            "$PYBABEL" init -i "$POT" -d "$DIR" -l "$lang"
        fi
    done
fi
"$PYBABEL" compile -d "$DIR" --statistics
