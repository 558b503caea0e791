"""Seeds the ACGME specialties, common subspecialties and the visa statuses listings accept."""

from django.db import migrations
from django.utils.text import slugify

SPECIALTIES = {
    "Allergy and Immunology": [],
    "Anesthesiology": ["Pain Medicine", "Critical Care Medicine (Anesthesiology)"],
    "Colon and Rectal Surgery": [],
    "Dermatology": ["Dermatopathology"],
    "Diagnostic Radiology": ["Interventional Radiology", "Neuroradiology"],
    "Emergency Medicine": ["Medical Toxicology"],
    "Family Medicine": ["Sports Medicine", "Geriatric Medicine (Family Medicine)"],
    "Internal Medicine": [
        "Cardiovascular Disease",
        "Endocrinology, Diabetes and Metabolism",
        "Gastroenterology",
        "Geriatric Medicine",
        "Hematology and Medical Oncology",
        "Infectious Disease",
        "Nephrology",
        "Pulmonary Disease and Critical Care Medicine",
        "Rheumatology",
        "Hospital Medicine",
    ],
    "Medical Genetics and Genomics": [],
    "Neurological Surgery": [],
    "Neurology": ["Clinical Neurophysiology", "Vascular Neurology"],
    "Nuclear Medicine": [],
    "Obstetrics and Gynecology": ["Maternal-Fetal Medicine", "Gynecologic Oncology"],
    "Ophthalmology": [],
    "Orthopaedic Surgery": ["Sports Medicine (Orthopaedic Surgery)"],
    "Otolaryngology - Head and Neck Surgery": [],
    "Pathology": ["Cytopathology", "Forensic Pathology"],
    "Pediatrics": ["Neonatal-Perinatal Medicine", "Pediatric Cardiology", "Pediatric Emergency Medicine"],
    "Physical Medicine and Rehabilitation": [],
    "Plastic Surgery": [],
    "Preventive Medicine": [],
    "Psychiatry": ["Child and Adolescent Psychiatry", "Addiction Psychiatry", "Geriatric Psychiatry"],
    "Radiation Oncology": [],
    "General Surgery": ["Vascular Surgery", "Surgical Critical Care", "Pediatric Surgery"],
    "Thoracic Surgery": [],
    "Urology": [],
}
VISAS = ["b1b2", "esta", "j1", "f1", "h1b", "ead", "us"]


def seed(apps, schema_editor):
    Specialty = apps.get_model("placements", "Specialty")
    Visa = apps.get_model("placements", "Visa")
    for name, subs in SPECIALTIES.items():
        parent, _ = Specialty.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        for sub in subs:
            Specialty.objects.get_or_create(slug=slugify(sub), defaults={"name": sub, "parent": parent})
    for code in VISAS:
        Visa.objects.get_or_create(code=code)


def unseed(apps, schema_editor):
    # Only rows nothing refers to can go; listings keep theirs (PROTECT).
    apps.get_model("placements", "Visa").objects.filter(listings__isnull=True).delete()
    Specialty = apps.get_model("placements", "Specialty")
    Specialty.objects.filter(listings__isnull=True, parent__isnull=False).delete()
    Specialty.objects.filter(listings__isnull=True, subspecialties__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
