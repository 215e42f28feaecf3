"""Sources, targets, transformations, mappings and mapplets."""

from __future__ import annotations

from dataclasses import dataclass, field

from infaflow.errors import Location
from infaflow.model.base import Attributes, yes

# --------------------------------------------------------------------------------------------------
# Sources, targets, transformations


@dataclass
class FlatFile:
    """A FLATFILE definition of a source or target (delimiters, quoting, header lines...).

    ``attrs`` holds every XML attribute as written (``DELIMITED``, ``DELIMITERS``, ``QUOTE_CHARACTER``,
    ``SKIPROWS``, ``HEADERLINES``/``SKIPROWS``, ``NULL_CHARACTER``, ``CODEPAGE``, ``ROWDELIMITER``...).
    """

    attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location, compare=False)

    @property
    def delimited(self) -> bool:
        return yes(self.attrs.get("DELIMITED"), True)

    @property
    def delimiters(self) -> str:
        return self.attrs.get("DELIMITERS", ",")

    @property
    def quote_character(self) -> str:
        return self.attrs.get("QUOTE_CHARACTER", "NONE")

    @property
    def skip_rows(self) -> int:
        try:
            return int(self.attrs.get("SKIPROWS", "0") or 0)
        except ValueError:
            return 0


@dataclass
class Field:
    """A SOURCEFIELD or TARGETFIELD."""

    name: str
    datatype: str
    precision: int = 0
    scale: int = 0
    nullable: bool = True
    key_type: str = "NOT A KEY"
    occurs: int = 0
    field_number: int = 0
    attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location, compare=False)
    children: list[Field] = field(default_factory=list)  # nested SOURCEFIELDs (COBOL group items)
    field_attributes: dict[str, str] = field(
        default_factory=dict
    )  # FIELDATTRIBUTEs (XML Mapping...) of XML sources


@dataclass
class XmlView:
    """A group (view) of an XML source definition: its rows are the elements at ``path`` (the GROUPSAT of
    the definition's XMLINFO table metadata, from the root element, such as ``HR/Departments/Department``)."""

    name: str
    path: str


@dataclass
class Source:
    """A SOURCE definition (relational table or flat file)."""

    name: str
    database_type: str = ""
    dbd_name: str = ""
    owner_name: str = ""
    business_name: str = ""
    description: str = ""
    fields: list[Field] = field(default_factory=list)
    flatfile: FlatFile | None = None
    table_attributes: Attributes = field(default_factory=Attributes)
    folder: str = ""
    location: Location = field(default_factory=Location, compare=False)
    xml_views: list[XmlView] = field(default_factory=list)  # groups of an XML source (DATABASETYPE="XML")

    @property
    def is_flat_file(self) -> bool:
        return self.flatfile is not None or self.database_type.lower() == "flat file"


@dataclass
class Target:
    """A TARGET definition (relational table or flat file)."""

    name: str
    database_type: str = ""
    business_name: str = ""
    description: str = ""
    fields: list[Field] = field(default_factory=list)
    flatfile: FlatFile | None = None
    table_attributes: Attributes = field(default_factory=Attributes)
    folder: str = ""
    location: Location = field(default_factory=Location, compare=False)

    @property
    def is_flat_file(self) -> bool:
        return self.flatfile is not None or self.database_type.lower() == "flat file"


@dataclass
class Port:
    """A TRANSFORMFIELD: one port of a transformation."""

    name: str
    datatype: str
    port_type: str  # INPUT, OUTPUT, INPUT/OUTPUT, LOCAL VARIABLE, LOOKUP/OUTPUT, INPUT/MASTER, ...
    precision: int = 0
    scale: int = 0
    default_value: str = ""
    expression: str = ""
    expression_type: str = ""  # GENERAL, GROUPBY, RANKPORT, RANKINDEX
    group: str = ""
    ref_field: str = ""
    is_sort_key: bool = False
    sort_direction: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location, compare=False)

    def _parts(self) -> set[str]:
        return {p.strip().upper() for p in self.port_type.split("/")}

    @property
    def is_input(self) -> bool:
        return "INPUT" in self._parts()

    @property
    def is_output(self) -> bool:
        return "OUTPUT" in self._parts()

    @property
    def is_variable(self) -> bool:
        return "VARIABLE" in self.port_type.upper()

    @property
    def is_lookup(self) -> bool:
        return "LOOKUP" in self._parts()

    @property
    def is_return(self) -> bool:
        return "RETURN" in self._parts()

    @property
    def is_master(self) -> bool:
        return "MASTER" in self._parts()

    @property
    def is_group_by(self) -> bool:
        return self.expression_type.upper() == "GROUPBY"


@dataclass
class Group:
    """A GROUP of a transformation (Router groups, Union input groups, Normalizer...)."""

    name: str
    type: str = ""  # INPUT, OUTPUT, OUTPUT/DEFAULT
    order: int = 0
    expression: str = ""
    description: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location, compare=False)


@dataclass
class Transformation:
    """A TRANSFORMATION, reusable (folder level) or not (inside a mapping or mapplet).

    ``type`` is the XML TYPE as written (``Expression``, ``Lookup Procedure``, ``Sequence``,
    ``Custom Transformation`` ...); ``template_name`` tells Custom Transformations apart.
    """

    name: str
    type: str
    reusable: bool = False
    template_name: str = ""
    description: str = ""
    ports: list[Port] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    attributes: Attributes = field(default_factory=Attributes)
    folder: str = ""
    location: Location = field(default_factory=Location, compare=False)
    flatfile: FlatFile | None = None  # FLATFILE of a flat-file Lookup (delimiters, header lines)
    source_fields: list[Field] = field(default_factory=list)  # SOURCEFIELDs of a Normalizer
    attrs: dict[str, str] = field(
        default_factory=dict, compare=False
    )  # XML attributes (ISVSAM_NORMALIZER...)
    metadata_extensions: dict[str, str] = field(
        default_factory=dict, compare=False
    )  # METADATAEXTENSION NAME -> VALUE

    def port(self, name: str) -> Port | None:
        wanted = name.lower()
        return next((p for p in self.ports if p.name.lower() == wanted), None)

    @property
    def kind(self) -> str:
        """The type a user recognises: the TEMPLATENAME for Custom Transformations, else TYPE."""
        if self.type.lower() == "custom transformation" and self.template_name:
            return self.template_name
        return self.type


# --------------------------------------------------------------------------------------------------
# Mappings and mapplets


@dataclass
class Instance:
    """An INSTANCE inside a mapping or mapplet: of a source, target, transformation or mapplet.

    ``definition`` is resolved by the loader: a :class:`Source`, :class:`Target`,
    :class:`Transformation` or :class:`Mapplet` (following shortcuts), or ``None`` if absent.
    """

    name: str
    type: str  # SOURCE, TARGET, TRANSFORMATION, MAPPLET
    transformation_name: str = ""
    transformation_type: str = ""
    reusable: bool = False
    dbd_name: str = ""
    description: str = ""
    associated_source_instances: list[str] = field(default_factory=list)
    attributes: Attributes = field(default_factory=Attributes)  # TABLEATTRIBUTE overrides on the instance
    location: Location = field(default_factory=Location, compare=False)
    definition: Source | Target | Transformation | Mapplet | None = field(
        default=None, repr=False, compare=False
    )


@dataclass
class Connector:
    """A CONNECTOR: a port-level edge between two instances."""

    from_instance: str
    from_field: str
    to_instance: str
    to_field: str
    from_instance_type: str = ""
    to_instance_type: str = ""
    location: Location = field(default_factory=Location, compare=False)


@dataclass
class TargetLoadOrder:
    order: int
    target_instance: str
    location: Location = field(default_factory=Location, compare=False)


@dataclass
class MappingVariable:
    """A MAPPINGVARIABLE: a mapping parameter (``is_param``) or variable (with AGGFUNCTION)."""

    name: str
    datatype: str = "string"
    default_value: str = ""
    is_param: bool = False
    aggfunction: str = "NONE"
    precision: int = 0
    scale: int = 0
    is_expression_variable: bool = False
    user_defined: bool = True
    description: str = ""
    location: Location = field(default_factory=Location, compare=False)


@dataclass
class Mapping:
    """A MAPPING (or, with ``is_mapplet``, a MAPPLET: same content)."""

    name: str
    is_valid: bool = True
    description: str = ""
    transformations: list[Transformation] = field(default_factory=list)  # defined inside (non-reusable)
    instances: list[Instance] = field(default_factory=list)
    connectors: list[Connector] = field(default_factory=list)
    target_load_order: list[TargetLoadOrder] = field(default_factory=list)
    variables: list[MappingVariable] = field(default_factory=list)
    is_mapplet: bool = False
    folder: str = ""
    location: Location = field(default_factory=Location, compare=False)

    def instance(self, name: str) -> Instance | None:
        return next((i for i in self.instances if i.name == name), None)

    def transformation(self, name: str) -> Transformation | None:
        return next((t for t in self.transformations if t.name == name), None)


class Mapplet(Mapping):
    """A MAPPLET: a mapping fragment with Input and Output transformations."""
