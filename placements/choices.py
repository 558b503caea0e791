"""Vocabulary shared by listings' requirements and applicants' credentials."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class USState(models.TextChoices):
    AL = "AL", "Alabama"
    AK = "AK", "Alaska"
    AZ = "AZ", "Arizona"
    AR = "AR", "Arkansas"
    CA = "CA", "California"
    CO = "CO", "Colorado"
    CT = "CT", "Connecticut"
    DE = "DE", "Delaware"
    DC = "DC", "District of Columbia"
    FL = "FL", "Florida"
    GA = "GA", "Georgia"
    HI = "HI", "Hawaii"
    ID = "ID", "Idaho"
    IL = "IL", "Illinois"
    IN = "IN", "Indiana"
    IA = "IA", "Iowa"
    KS = "KS", "Kansas"
    KY = "KY", "Kentucky"
    LA = "LA", "Louisiana"
    ME = "ME", "Maine"
    MD = "MD", "Maryland"
    MA = "MA", "Massachusetts"
    MI = "MI", "Michigan"
    MN = "MN", "Minnesota"
    MS = "MS", "Mississippi"
    MO = "MO", "Missouri"
    MT = "MT", "Montana"
    NE = "NE", "Nebraska"
    NV = "NV", "Nevada"
    NH = "NH", "New Hampshire"
    NJ = "NJ", "New Jersey"
    NM = "NM", "New Mexico"
    NY = "NY", "New York"
    NC = "NC", "North Carolina"
    ND = "ND", "North Dakota"
    OH = "OH", "Ohio"
    OK = "OK", "Oklahoma"
    OR = "OR", "Oregon"
    PA = "PA", "Pennsylvania"
    PR = "PR", "Puerto Rico"
    RI = "RI", "Rhode Island"
    SC = "SC", "South Carolina"
    SD = "SD", "South Dakota"
    TN = "TN", "Tennessee"
    TX = "TX", "Texas"
    UT = "UT", "Utah"
    VT = "VT", "Vermont"
    VA = "VA", "Virginia"
    WA = "WA", "Washington"
    WV = "WV", "West Virginia"
    WI = "WI", "Wisconsin"
    WY = "WY", "Wyoming"


class VisaStatus(models.TextChoices):
    """The status an applicant holds, or plans to hold, during a placement."""

    B1_B2 = "b1b2", _("B-1/B-2 visitor visa")
    ESTA = "esta", _("ESTA (Visa Waiver Program)")
    J1 = "j1", _("J-1 exchange visitor")
    F1 = "f1", _("F-1 student")
    H1B = "h1b", _("H-1B")
    EAD = "ead", _("Employment authorisation (EAD)")
    US = "us", _("US citizen or permanent resident")


# Visitor statuses: hands-on patient care is not allowed on them.
VISITOR_VISAS = frozenset({VisaStatus.B1_B2, VisaStatus.ESTA})


class DocumentKind(models.TextChoices):
    CV = "cv", _("CV")
    PASSPORT = "passport", _("Passport")
    ECFMG_CERTIFICATE = "ecfmg_certificate", _("ECFMG certificate")
    USMLE_TRANSCRIPT = "usmle_transcript", _("USMLE transcript")
    IMMUNISATION_RECORD = "immunisation_record", _("Immunisation record")
    HEALTH_INSURANCE = "health_insurance", _("Health insurance")
    BLS = "bls", _("BLS certificate")
    ACLS = "acls", _("ACLS certificate")
    BACKGROUND_CHECK = "background_check", _("Background check")
    PERSONAL_STATEMENT = "personal_statement", _("Personal statement")
    MEDICAL_DIPLOMA = "medical_diploma", _("Medical diploma")
    DEANS_LETTER = "deans_letter", _("Dean's letter (MSPE) or letter of good standing")


class Immunisation(models.TextChoices):
    """What an immunisation record proves; listings require some, within a validity window."""

    MMR = "mmr", _("MMR (measles, mumps, rubella)")
    VARICELLA = "varicella", _("Varicella")
    HEPATITIS_B = "hepatitis_b", _("Hepatitis B")
    TDAP = "tdap", _("Tdap")
    INFLUENZA = "influenza", _("Influenza (seasonal)")
    COVID19 = "covid19", _("COVID-19")
    TB_TEST = "tb_test", _("TB test (PPD or IGRA)")


class EnglishTest(models.TextChoices):
    OET = "oet", _("OET")
    TOEFL = "toefl", _("TOEFL")
    IELTS = "ielts", _("IELTS")
