/** Every workflow type the Sparkify workers register. */
export { sparkifyEtl } from './sparkify-etl';
export { dagProgressQuery } from './dag';
