"""Pure-Python revenue forecasting (no Django).

``forecast()``, ``seasonal_profile()`` and ``monthly_split()`` (the share of each month).
"""

from dirco.forecasting.forecaster import ForecastResult, forecast
from dirco.forecasting.intervals import ErrorProfile
from dirco.forecasting.seasonality import SeasonalProfile, seasonal_profile
from dirco.forecasting.series import Freq, Period, PeriodError
from dirco.forecasting.split import MonthlySplit, monthly_split

__all__ = [
    "ErrorProfile",
    "ForecastResult",
    "Freq",
    "MonthlySplit",
    "Period",
    "PeriodError",
    "SeasonalProfile",
    "forecast",
    "monthly_split",
    "seasonal_profile",
]
