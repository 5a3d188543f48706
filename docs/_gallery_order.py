"""The order of the gallery: from the simplest example to the most advanced."""

ORDER = (
    "plot_energy_italy_power_demand.py",  # the default classifier on a 2D table of univariate days
    "plot_sensor_basic_motions.py",  # a 3D array of multichannel recordings
    "plot_economics_uschange.py",  # regression on windows of a multivariate series
    "plot_forecast_airline.py",  # the sktime forecaster, with intervals
    "plot_predictive_maintenance.py",  # the sktime anomaly detector on multichannel machine sensors
    "plot_training_curves.py",  # callbacks, validation scores, TensorBoard
    "plot_classifier_attribution.py",  # confusion matrices and time-step attribution of two models
)


class ExampleOrder:
    """sphinx-gallery's ``within_subsection_order``: examples in ``ORDER``, any other after them by name."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[int, str]:
        name = filename.rsplit("/", 1)[-1]
        return (ORDER.index(name) if name in ORDER else len(ORDER), name)

    def __repr__(self) -> str:  # sphinx-gallery hashes the configuration through repr
        return f"<{type(self).__name__}: {', '.join(ORDER)}>"
