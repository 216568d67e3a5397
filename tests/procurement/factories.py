"""Catalog factories for procurement tests."""

from decimal import Decimal

import factory

from procurement.models import CatalogItem, ItemCategory, ItemKind, PriceBasis, Vendor


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Vendor {n}")


class VanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogItem

    vendor = factory.SubFactory(VendorFactory, name="Rivet Fleet Sales")
    kind = ItemKind.VEHICLE
    category = ItemCategory.STEP_VAN
    name = factory.Sequence(lambda n: f"Branded step van {n}")
    sku = factory.Sequence(lambda n: f"VAN-{n:04d}")
    price_basis = PriceBasis.UNIT
    list_price = Decimal("48000.00")
    discount_type = "percent"
    discount_value = Decimal("10")
    make, model, year, package_capacity = "Ford", "E-450 Step Van", 2026, 300


class InsuranceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogItem

    vendor = factory.SubFactory(VendorFactory, name="Progressive Commercial")
    kind = ItemKind.INSURANCE
    category = ItemCategory.AUTO_LIABILITY
    name = factory.Sequence(lambda n: f"Auto liability {n}")
    sku = factory.Sequence(lambda n: f"INS-{n:04d}")
    price_basis = PriceBasis.VEHICLE_MONTH
    list_price = Decimal("310.00")
    discount_type = "percent"
    discount_value = Decimal("8")
    coverage, carrier = "auto_liability", "Progressive Commercial"
    per_occurrence_limit = Decimal("1000000.00")
    deductible = Decimal("1000.00")


class SupplyItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogItem

    vendor = factory.SubFactory(VendorFactory, name="ProClip")
    kind = ItemKind.SUPPLY
    category = ItemCategory.PHONES
    name = factory.Sequence(lambda n: f"Phone mount {n}")
    sku = factory.Sequence(lambda n: f"SUP-{n:04d}")
    list_price = Decimal("19.99")
    discount_type = "percent"
    discount_value = Decimal("15")
