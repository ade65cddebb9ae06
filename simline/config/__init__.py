"""Scenario files: the validated models, YAML loading with line numbers, units, distributions.

The contract is ``spec/config.md`` (and ``spec/cost.md`` for the cost keys). Typical use::

    config = load_scenario("configs/bracket.yaml")
    config = apply_overrides(config, replications=20)

Every problem raises :class:`simline.errors.ConfigError` naming the file, the path inside it
(``stations.saw.buffer``) and the YAML line.
"""

from __future__ import annotations

from simline.config.cost import (
    CbamConfig,
    DemandConfig,
    EnergyConfig,
    LogisticsConfig,
    SiteConfig,
    TcoConfig,
    ToolingConfig,
)
from simline.config.distributions import (
    ConstantDistConfig,
    DistConfig,
    DistributionConfig,
    EmpiricalDistConfig,
    ErlangDistConfig,
    ExponentialDistConfig,
    GammaDistConfig,
    LognormalDistConfig,
    MeanDistConfig,
    NormalDistConfig,
    TriangularDistConfig,
    UniformDistConfig,
    WeibullDistConfig,
)
from simline.config.experiment import (
    BaseScenario,
    Constraint,
    ExperimentConfig,
    Lhs,
    LoadedExperiment,
    Objective,
    OneAtATime,
    Optimize,
    Precision,
    Range,
    RunOverrides,
    Select,
    is_experiment_data,
    load_experiment,
    parse_constraint,
)
from simline.config.models import (
    DAYS,
    DEFAULT_PRODUCT,
    FORMAT_VERSION,
    ConwipReleaseConfig,
    InterarrivalReleaseConfig,
    ProductConfig,
    ReleaseConfig,
    RunConfig,
    ScenarioConfig,
    WorkforceConfig,
    shift_minutes,
)
from simline.config.parse import (
    apply_overrides,
    load_scenario,
    parse_distribution,
    parse_scenario,
)
from simline.config.schema import scenario_json_schema
from simline.config.sites import shipped_site, site_names
from simline.config.stations import (
    STATION_KINDS,
    AdditiveStationConfig,
    BatchConfig,
    FailureConfig,
    MachineStationConfig,
    ManualStationConfig,
    RobotStationConfig,
    SetupMatrixConfig,
    StationConfig,
)
from simline.config.uncertainty import UncertaintyConfig
from simline.config.units import TIME_UNITS, parse_duration, seconds_per_unit

__all__ = [
    "DAYS",
    "DEFAULT_PRODUCT",
    "FORMAT_VERSION",
    "STATION_KINDS",
    "TIME_UNITS",
    "AdditiveStationConfig",
    "BaseScenario",
    "BatchConfig",
    "CbamConfig",
    "ConstantDistConfig",
    "Constraint",
    "ConwipReleaseConfig",
    "DemandConfig",
    "DistConfig",
    "DistributionConfig",
    "EmpiricalDistConfig",
    "EnergyConfig",
    "ErlangDistConfig",
    "ExperimentConfig",
    "ExponentialDistConfig",
    "FailureConfig",
    "GammaDistConfig",
    "InterarrivalReleaseConfig",
    "Lhs",
    "LoadedExperiment",
    "LogisticsConfig",
    "LognormalDistConfig",
    "MachineStationConfig",
    "ManualStationConfig",
    "MeanDistConfig",
    "NormalDistConfig",
    "Objective",
    "OneAtATime",
    "Optimize",
    "Precision",
    "ProductConfig",
    "Range",
    "ReleaseConfig",
    "RobotStationConfig",
    "RunConfig",
    "RunOverrides",
    "ScenarioConfig",
    "Select",
    "SetupMatrixConfig",
    "SiteConfig",
    "StationConfig",
    "TcoConfig",
    "ToolingConfig",
    "TriangularDistConfig",
    "UncertaintyConfig",
    "UniformDistConfig",
    "WeibullDistConfig",
    "WorkforceConfig",
    "apply_overrides",
    "is_experiment_data",
    "load_experiment",
    "load_scenario",
    "parse_constraint",
    "parse_distribution",
    "parse_duration",
    "parse_scenario",
    "scenario_json_schema",
    "seconds_per_unit",
    "shift_minutes",
    "shipped_site",
    "site_names",
]
