"""lib: the course's recurrent networks in readable NumPy, checked against PyTorch.

The network library only (it needs NumPy and tqdm); the book's figures, widgets and
experiments live in ``lib.course``, which imports this package and never the reverse.

import lib
model = lib.LSTM(input_size=8, hidden_size=32, batch_first=True)
out, (h_n, c_n) = model(x)          # x: (batch, seq_len, 8)
dx, (dh0, dc0) = model.backward(dout)
"""

from . import attention, backend, functional, scan, tasks, text
from .attention_models import AttentionClassifier, SelfAttention
from .backend import to_numpy, use
from .cells import GRUCell, LSTMCell, RNNCell
from .embedding import Embedding
from .gradcheck import gradcheck, numerical_gradient
from .language_model import LanguageModel, perplexity, sample, text_pass
from .linear import Linear
from .losses import accuracy, cross_entropy, mse_loss
from .minimal_rnn import MinGRU, MinLSTM
from .models import SequenceClassifier, SequenceRegressor
from .optim import SGD, Adam, clip_grad_norm
from .recurrent import GRU, LSTM, RNN, count_parameters, set_keep_gate_bias
from .train import evaluate, fit

__all__ = [
    "AttentionClassifier",
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "RNNCell",
    "SGD",
    "Adam",
    "Embedding",
    "LanguageModel",
    "Linear",
    "MinGRU",
    "MinLSTM",
    "SequenceClassifier",
    "SequenceRegressor",
    "SelfAttention",
    "accuracy",
    "attention",
    "backend",
    "clip_grad_norm",
    "count_parameters",
    "cross_entropy",
    "evaluate",
    "fit",
    "functional",
    "gradcheck",
    "mse_loss",
    "numerical_gradient",
    "perplexity",
    "sample",
    "scan",
    "set_keep_gate_bias",
    "tasks",
    "text",
    "text_pass",
    "to_numpy",
    "use",
]
