import { main } from './src/cli/main.ts';
process.on('unhandledRejection', (e: any) => { console.log('UNHANDLED', e?.message, e?.stack?.split('\n').slice(0,12).join(' | ')); });
const code = await main(process.argv.slice(2));
console.log('exit', code); process.exit(code);
