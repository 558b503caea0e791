import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from tests.accounts.mfa import give_totp

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        # allauth lets only verified addresses log in; most tests want a usable account.
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        return extracted  # read in _after_postgeneration, once every other hook has run

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        # Coordinators and admins must have two-factor authentication (accounts.middleware), so
        # they get a TOTP authenticator unless a test asks for none with mfa=False. This runs
        # after subclasses' hooks, so CoordinatorFactory's membership already exists here.
        wants_mfa = (results or {}).get("mfa")
        if create and wants_mfa is not False and (wants_mfa or instance.is_staff or instance.memberships.exists()):
            give_totp(instance)


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True
