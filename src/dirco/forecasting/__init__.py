"""Pure-Python revenue forecasting (no Django): ``forecast()`` and ``seasonal_profile()``."""

from dirco.forecasting.forecaster import ForecastResult, forecast
from dirco.forecasting.seasonality import SeasonalProfile, seasonal_profile
from dirco.forecasting.series import Freq, Period, PeriodError

__all__ = [
    "ForecastResult",
    "Freq",
    "Period",
    "PeriodError",
    "SeasonalProfile",
    "forecast",
    "seasonal_profile",
]
