"""nbgrader's CheckCellMetadata, with the metadata schema checked once instead of per cell.

nbgrader validates each cell's nbgrader metadata with ``jsonschema.validate(meta,
schema)``, which first checks the *schema itself* against the JSON Schema meta-schema,
on every call. A submission has about 90 such cells and the check runs three times per
notebook in a grading run (the pipeline's sanitize pass, autograde's, and after
execution): most of nbgrader's autograde time in the coordinator. Here the schema is
checked once per process and each cell validated with the compiled validator; every other
step of nbgrader's validation (schema versions, cell types, grade ids) is its own.
"""

import traceback

import jsonschema
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import (
    BaseMetadataValidator,
    SchemaTooNewError,
    SchemaTooOldError,
)
from nbgrader.preprocessors import CheckCellMetadata

_COMPILED = {}  # schema version -> jsonschema validator of nbgrader's schema file


def _validator(version, schema):
    if version not in _COMPILED:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _COMPILED[version] = cls(schema)
    return _COMPILED[version]


class _CompiledSchema(BaseMetadataValidator):
    """BaseMetadataValidator.validate_cell, with the schema checked once."""

    def validate_cell(self, cell):
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(
                f"Outdated schema version: {version} (expected {self.schema_version})",
                version,
                self.schema_version,
            )
        if version > self.schema_version:
            raise SchemaTooNewError(
                f"Schema version is too new: {version} (expected {self.schema_version})",
                version,
                self.schema_version,
            )
        _validator(self.schema_version, self.schema).validate(cell.metadata["nbgrader"])


class FastMetadataValidator(MetadataValidator, _CompiledSchema):
    """nbgrader's current MetadataValidator; its ``super().validate_cell`` reaches
    _CompiledSchema before BaseMetadataValidator (method resolution order)."""


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's CheckCellMetadata (same errors, same log), with FastMetadataValidator."""

    def preprocess(self, nb, resources):
        try:
            FastMetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
