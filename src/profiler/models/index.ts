/** Registers every model with the forecaster registry (import for its side effect). */
import './seasonal-naive.ts';
import './ets.ts';
import './mstl.ts';
import './arima.ts';
import './prophet.ts';
import './lstm.ts';
import './ensemble.ts';
