"""lib.course.prose: published values, and numbers written as prose writes them."""

import pytest

from lib.course.prose import Shown, publish, scientific


def test_scientific_writes_powers_of_ten_with_superscripts():
    assert scientific(4.91e-4) == "4.9 × 10⁻⁴"
    assert scientific(4.59e-14, digits=1) == "5 × 10⁻¹⁴"
    assert scientific(188.0) == "1.9 × 10²"
    assert scientific(0.00998, digits=1) == "1 × 10⁻²"  # the mantissa rounds up to 10
    with pytest.raises(ValueError, match="at least 1"):
        scientific(1.0, digits=0)


def test_publish_outside_a_kernel_returns_the_texts():
    shown = publish(accuracy="0.27", gain="3x")
    assert shown == {"accuracy": "0.27", "gain": "3x"}
    assert isinstance(shown["accuracy"], Shown) and repr(shown["accuracy"]) == "0.27"
    with pytest.raises(ValueError, match="identifier"):
        publish(**{"not a name": "1"})
