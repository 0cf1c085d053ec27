from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class _SignupForm(UserCreationForm):
    kind: str = ""

    class Meta:
        model = User
        fields: tuple[str, ...] = ()

    def _post_clean(self):
        self.instance.kind = self.kind
        super()._post_clean()


class PersonSignupForm(_SignupForm):
    kind = User.Kind.PERSON

    class Meta(_SignupForm.Meta):
        fields = ("username", "full_name", "id_number", "registration_district", "email", "phone")
        labels = {"full_name": _("Full name (as on your ID card)")}
        help_texts = {
            "id_number": _("18 characters, as on your resident ID card."),
            "full_name": "",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("full_name", "id_number", "email"):
            self.fields[name].required = True


class EnterpriseSignupForm(_SignupForm):
    kind = User.Kind.ENTERPRISE

    class Meta(_SignupForm.Meta):
        fields = ("username", "enterprise_name", "credit_code", "full_name", "email", "phone")
        labels = {"full_name": _("Contact person")}
        help_texts = {"credit_code": _("18 characters, as on the business licence.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("enterprise_name", "credit_code", "full_name", "email"):
            self.fields[name].required = True


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields: tuple[str, ...] = ("email", "phone")


class PersonProfileForm(ProfileForm):
    """A person also keeps their household registration district (户籍所在地) here."""

    class Meta(ProfileForm.Meta):
        fields = ("email", "phone", "registration_district")


def profile_form(user: User) -> type[ProfileForm]:
    return PersonProfileForm if user.kind == User.Kind.PERSON else ProfileForm


class ApplicantSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, username or phone"), max_length=100, min_length=2)
