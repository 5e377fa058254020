"""Names of organisation types as staff read them."""

from __future__ import annotations

from dialogue.i18n import _l
from dialogue.organisations.models import OrganisationType

TYPE_LABELS = {
    OrganisationType.BUSINESS: _l("Business"),
    OrganisationType.ASSOCIATION: _l("Association"),
    OrganisationType.HOUSING_COMPANY: _l("Housing company"),
    OrganisationType.OTHER: _l("Other"),
}
