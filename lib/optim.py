"""Optimizers that update ``module.params`` in place from ``module.grads``, as torch.optim does.

opt = SGD([rnn, head], lr=0.1, momentum=0.9)
loss, dout = ...; model.backward(dout)    # fills every module's grads
clip_grad_norm([rnn, head], max_norm=1.0)  # optional
opt.step()
"""

import math
import numbers

from . import backend


class Optimizer:
    """The shared part: the list of modules and a walk over (parameter, gradient) pairs."""

    def __init__(self, modules, lr):
        self.modules = _module_list(modules)
        self.lr = _positive_float("lr", lr)
        self.state = {}  # (module index, key) -> per-parameter buffers

    def zero_grad(self):
        """Forget every module's gradients."""
        for module in self.modules:
            module.zero_grad()

    def step(self):
        """Update every parameter in place from its gradient."""
        for slot, param, grad in _params_and_grads(self.modules):
            self._update(slot, param, grad)

    def _update(self, slot, param, grad):
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum (torch.optim.SGD, dampening 0).

    b = grad                     (first step)
    b = momentum * b + grad      (later steps)
    p = p - lr * b               (b = grad when momentum is 0)
    """

    def __init__(self, modules, lr, momentum=0.0):
        super().__init__(modules, lr)
        self.momentum = _fraction("momentum", momentum)

    def _update(self, slot, param, grad):
        if self.momentum == 0.0:
            param -= self.lr * grad
            return
        if slot not in self.state:
            self.state[slot] = grad.copy()
        else:
            buffer = self.state[slot]
            buffer *= self.momentum
            buffer += grad
        param -= self.lr * self.state[slot]


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015) with torch.optim.Adam's exact update.

    m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2          (t = number of steps)
    p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    """

    def __init__(self, modules, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(modules, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_fraction("betas[0]", betas[0]), _fraction("betas[1]", betas[1]))
        self.eps = _positive_float("eps", eps)
        self.steps = 0

    def step(self):
        self.steps += 1
        super().step()

    def _update(self, slot, param, grad):
        xp = backend.xp()
        beta1, beta2 = self.betas
        if slot not in self.state:
            self.state[slot] = (xp.zeros_like(param), xp.zeros_like(param))
        m, v = self.state[slot]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        step_size = self.lr / (1 - beta1**self.steps)
        denominator = xp.sqrt(v) / math.sqrt(1 - beta2**self.steps) + self.eps
        param -= step_size * (m / denominator)


def clip_grad_norm(modules, max_norm):
    """Rescale all gradients together so their global L2 norm is at most ``max_norm``::

        total = sqrt(sum over every gradient entry of g^2)
        g = g * max_norm / (total + 1e-6)      when that factor is below 1

    Like ``torch.nn.utils.clip_grad_norm_``. Returns ``total`` (before clipping) as a float.
    """
    modules = _module_list(modules)
    max_norm = _positive_float("max_norm", max_norm)
    pairs = list(_params_and_grads(modules))
    total = math.sqrt(sum(float((grad * grad).sum()) for _, _, grad in pairs))
    factor = max_norm / (total + 1e-6)
    if factor < 1.0:
        for module in modules:
            module.grads = {key: grad * factor for key, grad in module.grads.items()}
    return total


def _params_and_grads(modules):
    """Yield ((module index, key), param, grad) for every parameter, checking each gradient."""
    for index, module in enumerate(modules):
        for key, param in module.params.items():
            name = f"module {index} ({type(module).__name__}) parameter {key!r}"
            grad = module.grads.get(key)
            if grad is None:
                raise RuntimeError(
                    f"{name} has no gradient: call backward() after the forward pass "
                    "and before step() or clip_grad_norm()"
                )
            if grad.shape != param.shape:
                raise ValueError(
                    f"{name} has shape {tuple(param.shape)} but its gradient has shape "
                    f"{tuple(grad.shape)}"
                )
            yield (index, key), param, grad


def _module_list(modules):
    """``modules`` as a list; a single module is accepted too."""
    if hasattr(modules, "params"):
        modules = [modules]
    modules = list(modules)
    for index, module in enumerate(modules):
        if not (hasattr(module, "params") and hasattr(module, "grads")):
            raise TypeError(
                f"modules[{index}] is a {type(module).__name__}, not a Module with "
                "params and grads (pass for example [rnn, head] or model.modules)"
            )
    if not modules:
        raise ValueError("modules is empty: there is nothing to optimize")
    return modules


def _positive_float(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _fraction(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)
