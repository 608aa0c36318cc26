"""Upload forms: an extract (a zip or its CSV files) and a published return (one CSV).

Cleaning a form checks the upload and copies it to a staging folder (see ``uploads.py``);
``form.staged`` is then ready to be moved to the job's folder.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.files.uploadedfile import UploadedFile

from dsvb.web.imports import uploads


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>``."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return [super().clean(None, initial)] if self.required else []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class _UploadForm(forms.Form):
    field_name = ""
    submit_label = ""

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.staged: uploads.Staged | None = None
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has the token
        self.helper.layout = Layout(
            Field(self.field_name, context={"label_size": Size.for_label("s")}),
            Submit("submit", self.submit_label),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.too_large:
            # the request was cut short: whatever arrived is incomplete
            self.errors.pop(self.field_name, None)
            self.add_error(
                self.field_name, f"The upload must be smaller than {uploads.limit_text()}"
            )
        return cleaned

    def discard(self) -> None:
        """Remove the staged files (when no job was made from them)."""
        if self.staged is not None:
            self.staged.discard()
            self.staged = None


class ExtractUploadForm(_UploadForm):
    field_name = "files"
    submit_label = "Upload and import the extract"

    files = MultipleFileField(
        label="Extract files",
        help_text=(
            "One .zip file holding the extract’s CSV files, or the CSV files themselves "
            "(select them together). An extract has "
            + ", ".join(uploads.required_names())
            + " and, optionally, victim_contacts.csv; each must be UTF-8 text."
        ),
        error_messages={
            "required": "Select the extract’s zip file or its CSV files",
            "empty": "The selected file is empty",
        },
        widget=MultipleFileInput(attrs={"class": "govuk-file-upload", "accept": ".zip,.csv"}),
    )

    def clean_files(self) -> list[UploadedFile]:
        files = self.cleaned_data["files"]
        if self.too_large:
            return files
        try:
            self.staged = uploads.stage_extract(files)
        except uploads.UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return files


class ReturnUploadForm(_UploadForm):
    field_name = "file"
    submit_label = "Upload and import the return"

    file = forms.FileField(
        label="Published return",
        help_text=(
            "One CSV file (UTF-8 text) transcribing a published table: a table by borough "
            "or unit, measures by period, a borough’s return (indicator, value) or a headline "
            "table by offence."
        ),
        error_messages={
            "required": "Select the published return’s CSV file",
            "empty": "The selected file is empty",
        },
        widget=forms.FileInput(attrs={"class": "govuk-file-upload", "accept": ".csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if self.too_large:
            return upload
        try:
            self.staged = uploads.stage_return(upload)
        except uploads.UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload
