from performance.models.program import (  # noqa: F401
    LOWER_IS_BETTER,
    TIER_ORDER,
    TIER_POINTS,
    Metric,
    PeakWeek,
    PerformanceSettings,
    RateCard,
    RouteLengthClass,
    Tier,
    TierMetricRule,
    TierRuleSet,
)
from performance.models.scorecards import DriverScore, Scorecard, SettlementWeek  # noqa: F401
from performance.models.settlements import (  # noqa: F401
    SETTLED,
    STATEMENT_WORKFLOW,
    Chargeback,
    DeductionPlan,
    Dispute,
    LineKind,
    Statement,
    StatementLine,
    StatementStatus,
    StatementTransition,
)
